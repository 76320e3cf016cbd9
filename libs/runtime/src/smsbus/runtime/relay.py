"""The outbox relay: publishes committed outbox rows in order, then marks them published.

Safe with several relays: a batch is claimed under a per-schema transaction advisory lock (one
relay publishes at a time, so per-key order holds across replicas) with FOR UPDATE SKIP LOCKED.
A row is marked published only after the broker acknowledged it; a crash in between publishes
it again (at-least-once, consumers dedupe). Wakes on NOTIFY (fired at commit by
`add_to_outbox`) or after `poll_interval`; backs off with jitter while the broker or database
is down.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.failures import Backoff, error_type
from smsbus.runtime.kafka import OutgoingRecord
from smsbus.runtime.loops import repeat
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.notify import notifications
from smsbus.runtime.outbox import NOTIFY_CHANNEL

RELAY_BACKOFF = Backoff(initial=0.5, maximum=30.0)

_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtext('smsbus.outbox.' || current_schema()))")
_CLAIM = text(
    "SELECT id, topic, key, value, headers FROM outbox WHERE published_at IS NULL "
    "ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED"
)
_MARK = text("UPDATE outbox SET published_at = now() WHERE id = ANY(:ids)")
_LAG = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
    "FROM outbox WHERE published_at IS NULL"
)


@dataclass(kw_only=True)
class OutboxRelay:
    engine: AsyncEngine
    broker: KafkaBroker
    metrics: Metrics | None = None
    batch_size: int = 500
    poll_interval: float = 2.0
    backoff: Backoff = RELAY_BACKOFF

    async def relay_once(self) -> int:
        """Publishes one batch of pending rows; returns how many were published."""
        async with self.engine.begin() as conn:
            if not (await conn.execute(_LOCK)).scalar_one():
                return 0
            rows = (await conn.execute(_CLAIM, {"limit": self.batch_size})).all()
            if not rows:
                return 0
            records = [OutgoingRecord(r.topic, r.key, r.value, dict(r.headers)) for r in rows]
            futures = [
                await self.broker.publish(
                    record.value,
                    topic=record.topic,
                    key=record.key,
                    headers=record.headers,
                    correlation_id=record.headers.get("correlation-id"),
                    no_confirm=True,
                )
                for record in records
            ]
            await asyncio.gather(*futures)
            await conn.execute(_MARK, {"ids": [r.id for r in rows]})
        if self.metrics:
            for record in records:
                self.metrics.outbox_published.labels(topic=record.topic).inc()
        return len(rows)

    async def measure_lag(self) -> tuple[int, float]:
        """(pending rows, age in seconds of the oldest one), exported as gauges."""
        async with self.engine.connect() as conn:
            pending, age = (await conn.execute(_LAG)).one()
        if self.metrics:
            self.metrics.outbox_pending.set(pending)
            self.metrics.outbox_oldest_age.set(float(age))
        return int(pending), float(age)

    async def run(self) -> None:
        """Relays until cancelled."""
        async with notifications(self.engine, NOTIFY_CHANNEL) as notified:
            await repeat(
                self._relay_pass,
                name="outbox relay",
                interval=self.poll_interval,
                backoff=self.backoff,
                wake=notified,
            )

    async def _relay_pass(self) -> bool:
        """One batch and the lag gauges; True when the batch was full (more may be waiting)."""
        try:
            published = await self.relay_once()
            await self.measure_lag()
        except Exception as exc:
            if self.metrics:
                self.metrics.outbox_relay_errors.labels(error=error_type(exc)).inc()
            raise
        return published >= self.batch_size
