"""The simulator's state and machinery in one object the routers are given.

It owns the workspace (reset replaces it with the seeded one), the clock, the seeded ids, the
fault set, the scheduler and the deliverer, and turns a fact into an event for every webhook
subscribed to it.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

import httpx

from smsbus.openphone_sim.clock import SimClock
from smsbus.openphone_sim.delivery import Deliverer
from smsbus.openphone_sim.events import MESSAGE_FAILURE_EVENTS, Resource, SimEvent
from smsbus.openphone_sim.faults import Faults
from smsbus.openphone_sim.ids import IdFactory
from smsbus.openphone_sim.scheduler import Scheduler
from smsbus.openphone_sim.seed import seeded_workspace
from smsbus.openphone_sim.settings import FailureStatus, SimSettings
from smsbus.openphone_sim.workspace import RegisteredWebhook, Workspace
from smsbus.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class Simulator:
    def __init__(self, settings: SimSettings, *, clock: SimClock | None = None) -> None:
        self.settings = settings
        self.clock = clock or SimClock()
        self.faults = Faults()
        self.rest_requests_since_faults = 0
        self.resets = 0
        self.run_seed = settings.seed if settings.run_seed is None else settings.run_seed
        self.ids = IdFactory(self.run_seed)
        self.workspace = self._seeded_workspace()
        self.metrics = Metrics("openphone-sim")
        self.webhook_attempts = self.metrics.counter(
            "webhook_attempts_total", "Webhook delivery attempts, by event type and outcome.",
            ["type", "outcome"],
        )  # fmt: skip
        self.rest_requests = self.metrics.counter(
            "rest_requests_total", "REST requests answered, by status code.", ["status"]
        )
        self.scheduler = Scheduler(self.clock, speed=settings.speed)
        # Webhooks go straight to their URLs, never through a proxy from the environment.
        self.client = httpx.AsyncClient(trust_env=False)
        self.deliverer = Deliverer(
            client=self.client,
            scheduler=self.scheduler,
            clock=self.clock,
            ids=lambda: self.ids,
            faults=lambda: self.faults,
            seed=self.fault_seed,
            record=self._record_delivery,
            retry_schedule=settings.retry_schedule,
            timeout=settings.webhook_timeout,
        )

    async def start(self) -> None:
        self.scheduler.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.client.aclose()

    def _seeded_workspace(self) -> Workspace:
        # Its own id stream: lines, users and seeded webhooks keep their ids across resets.
        workspace_ids = IdFactory(self.settings.seed, stream="workspace")
        return seeded_workspace(self.settings, ids=workspace_ids, now=self.clock.now())

    def reset(self, seed: int | None = None) -> None:
        """Back to the seeded workspace with no faults and nothing pending.

        New activity then gets ids from `seed` (what a fresh simulator with that seed would
        give), or by default from a new seed per reset, so that receivers which dedupe on ids
        never mistake a new run's events for the last one's.
        """
        self.scheduler.clear()
        self.faults = Faults()
        self.rest_requests_since_faults = 0
        self.resets += 1
        self.run_seed = seed if seed is not None else _reset_seed(self.settings.seed, self.resets)
        self.ids = IdFactory(self.run_seed)
        self.workspace = self._seeded_workspace()

    def set_faults(self, faults: Faults) -> Faults:
        self.faults = faults.anchored(self.clock.now())
        self.rest_requests_since_faults = 0
        return self.faults

    def fault_seed(self) -> int:
        return self.run_seed if self.faults.seed is None else self.faults.seed

    def failing_numbers(self) -> dict[str, FailureStatus]:
        if self.faults.failing_numbers is not None:
            return self.faults.failing_numbers
        return self.settings.failing_statuses()

    def now(self) -> datetime:
        return self.clock.now()

    def emit(
        self,
        event_type: str,
        resource: Resource,
        *,
        subject: str,
        phone_number_id: str | None = None,
        line_number: str | None = None,
    ) -> SimEvent:
        """Fires one fact to every webhook subscribed to it. `subject` makes the event id."""
        event = SimEvent(
            id=self.ids.event(f"{subject}:{event_type}"),
            type=event_type,
            created_at=self.clock.now(),
            resource=resource,
            phone_number_id=phone_number_id,
            line_number=line_number,
            org_id=self.settings.org_id,
        )
        self.deliverer.publish(event, self._subscribers(event_type, phone_number_id))
        return event

    def _subscribers(self, event_type: str, phone_number_id: str | None) -> list[RegisteredWebhook]:
        found = self.workspace.subscribers(event_type, phone_number_id)
        if event_type in MESSAGE_FAILURE_EVENTS and self.settings.failure_events_to_v1:
            # v1 has no failure event: send it where message.delivered would go (settings.py).
            seen = {webhook.id for webhook in found}
            found += [
                webhook
                for webhook in self.workspace.subscribers("message.delivered", phone_number_id)
                if webhook.generation != "2026-03-30" and webhook.id not in seen
            ]
        return found

    def record_request(self, entry: dict[str, Any]) -> None:
        self.workspace.requests.append(entry)
        self.rest_requests.labels(status=str(entry["status"])).inc()

    def _record_delivery(self, entry: dict[str, Any]) -> None:
        self.workspace.deliveries.append(entry)
        self.webhook_attempts.labels(type=entry["type"], outcome=entry["outcome"]).inc()
        if entry["outcome"] != "delivered":
            logger.info(
                "webhook %s %s to %s: %s (attempt %s)", entry["type"], entry["eventId"],
                entry["url"], entry["error"] or entry["outcome"], entry["attempt"],
                extra={"event_id": entry["eventId"], "outcome": entry["outcome"]},
            )  # fmt: skip


def _reset_seed(seed: int, resets: int) -> int:
    return int(hashlib.sha256(f"{seed}:reset:{resets}".encode()).hexdigest()[:12], 16)
