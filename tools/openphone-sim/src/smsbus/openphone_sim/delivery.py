"""Signed webhook delivery: fan-out, fault plan, attempts in order per webhook, retries.

Every attempt of one delivery sends the same body (same event id); only the signature's
timestamp is fresh, taken from the real wall clock because receivers check it against theirs.
Deliveries to one webhook go out one at a time in the order they became due, so without
faults a receiver sees events in the order they happened.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from smsbus.openphone.signing import OPENPHONE_HEADER, Scheme, sign_openphone, sign_standard
from smsbus.openphone_sim.clock import SimClock, iso
from smsbus.openphone_sim.events import SimEvent
from smsbus.openphone_sim.faults import Faults, in_outage, plan_delivery
from smsbus.openphone_sim.ids import IdFactory
from smsbus.openphone_sim.payloads import GENERATIONS
from smsbus.openphone_sim.scheduler import Scheduler
from smsbus.openphone_sim.workspace import RegisteredWebhook

Record = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Delivery:
    event: SimEvent
    webhook: RegisteredWebhook
    body: bytes
    delivery_id: str
    """Standard Webhooks' `webhook-id`: one per event and webhook, stable across retries."""
    copy: int


def compact(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signature_headers(delivery: Delivery, *, wall_seconds: float) -> dict[str, str]:
    key = delivery.webhook.signing_key
    if GENERATIONS[delivery.webhook.generation].scheme is Scheme.STANDARD:
        return sign_standard(
            delivery.body, key, webhook_id=delivery.delivery_id, timestamp=int(wall_seconds)
        )
    return {
        OPENPHONE_HEADER: sign_openphone(delivery.body, key, timestamp_ms=int(wall_seconds * 1000))
    }


@dataclass(kw_only=True)
class Deliverer:
    client: httpx.AsyncClient
    scheduler: Scheduler
    clock: SimClock
    ids: Callable[[], IdFactory]
    faults: Callable[[], Faults]
    seed: Callable[[], int]
    record: Record
    retry_schedule: list[float]
    timeout: float
    wall: Callable[[], float] = time.time
    _locks: defaultdict[str, asyncio.Lock] = field(
        default_factory=lambda: defaultdict(asyncio.Lock), init=False
    )

    def publish(self, event: SimEvent, webhooks: list[RegisteredWebhook]) -> None:
        for webhook in webhooks:
            plan = plan_delivery(
                self.faults(), seed=self.seed(), event_id=event.id, webhook_id=webhook.id
            )
            body = compact(GENERATIONS[webhook.generation].render(event))
            delivery_id = self.ids().derived("msg_", f"{event.id}:{webhook.id}")
            if plan.drop:
                self._log(Delivery(event, webhook, body, delivery_id, 0), 0, "dropped")
                continue
            for copy, delay in enumerate(plan.delays):
                delivery = Delivery(event, webhook, body, delivery_id, copy)
                self.scheduler.after(delay, self._attempt_job(delivery, 1))

    def _attempt_job(self, delivery: Delivery, attempt: int) -> Callable[[], Any]:
        async def job() -> None:
            await self._attempt(delivery, attempt)

        return job

    async def _attempt(self, delivery: Delivery, attempt: int) -> None:
        async with self._locks[delivery.webhook.id]:
            if in_outage(self.faults(), self.clock.now()):
                outcome, status, error = "outage", None, None
            else:
                outcome, status, error = await self._post(delivery)
            self._log(delivery, attempt, outcome, status=status, error=error)
        if outcome != "delivered" and attempt < len(self.retry_schedule):
            self.scheduler.after(
                self.retry_schedule[attempt], self._attempt_job(delivery, attempt + 1)
            )

    async def _post(self, delivery: Delivery) -> tuple[str, int | None, str | None]:
        headers = {
            "content-type": "application/json",
            "user-agent": "OpenPhone-Simulator/1.0",
            **signature_headers(delivery, wall_seconds=self.wall()),
        }
        try:
            response = await self.client.post(
                delivery.webhook.webhook.url,
                content=delivery.body,
                headers=headers,
                timeout=self.timeout,
            )
        except httpx.TimeoutException:
            return "timeout", None, f"no answer within {self.timeout}s"
        except httpx.HTTPError as exc:
            return "error", None, f"{type(exc).__name__}: {exc}"
        outcome = "delivered" if response.is_success else "failed"
        return outcome, response.status_code, None

    def _log(
        self,
        delivery: Delivery,
        attempt: int,
        outcome: str,
        *,
        status: int | None = None,
        error: str | None = None,
    ) -> None:
        self.record(
            {
                "eventId": delivery.event.id,
                "type": delivery.event.type,
                "webhookId": delivery.webhook.id,
                "url": delivery.webhook.webhook.url,
                "generation": delivery.webhook.generation,
                "deliveryId": delivery.delivery_id,
                "copy": delivery.copy,
                "attempt": attempt,
                "outcome": outcome,
                "status": status,
                "error": error,
                "at": iso(self.clock.now()),
                "realAt": self.wall(),
            }
        )
