"""Alert delivery: each pending alert row is POSTed as JSON to the alert webhook, retried with
backoff until it is accepted (2xx) or out of attempts; every outcome stays on the row."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from smsbus.health.observability import HealthMetrics
from smsbus.health.store import alerts as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff, error_message

logger = logging.getLogger(__name__)


ALERT_BACKOFF = Backoff(initial=1.0, maximum=300.0)


@dataclass(frozen=True)
class AlertConfig:
    url: str
    max_attempts: int = 8
    retry: Backoff = ALERT_BACKOFF


@dataclass(kw_only=True)
class AlertSender:
    sessions: Sessions
    http: httpx.AsyncClient
    clock: Callable[[], datetime]
    config: AlertConfig
    metrics: HealthMetrics | None = None

    async def deliver_due(self) -> int:
        """One pass over the due alerts (rare: the row locks are held across the POSTs);
        returns how many were delivered."""
        delivered = 0
        async with self.sessions() as session, session.begin():
            for alert in await store.due(session=session, now=self.clock()):
                error = await self._post(alert.payload)
                if error is None:
                    await store.delivered(session=session, alert_id=alert.id, at=self.clock())
                    outcome = "delivered"
                    delivered += 1
                elif alert.attempts + 1 >= self.config.max_attempts:
                    await store.failed(session=session, alert_id=alert.id, error=error)
                    outcome = "failed"
                    logger.error("alert %s not delivered, giving up: %s", alert.id, error)
                else:
                    delay = timedelta(seconds=self.config.retry.delay(alert.attempts + 1))
                    await store.retry_later(
                        session=session,
                        alert_id=alert.id,
                        at=self.clock(),
                        delay=delay,
                        error=error,
                    )
                    outcome = "retried"
                    logger.warning("alert %s not delivered (%s); retrying", alert.id, error)
                if self.metrics:
                    self.metrics.alerts.labels(kind=alert.kind, outcome=outcome).inc()
        return delivered

    async def _post(self, payload: dict[str, object]) -> str | None:
        """None when the receiver accepted the alert, else why not."""
        try:
            response = await self.http.post(self.config.url, json=payload)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {error_message(exc, limit=300)}"
        if response.is_success:
            return None
        return f"HTTP {response.status_code}: {error_message(Exception(response.text), limit=200)}"
