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
import contextlib
import logging
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from smsbus.runtime.failures import Backoff, classify, error_type
from smsbus.runtime.kafka import OutgoingRecord
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.outbox import NOTIFY_CHANNEL

logger = logging.getLogger(__name__)

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


class OutboxRelay:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        broker: KafkaBroker,
        metrics: Metrics | None = None,
        batch_size: int = 500,
        poll_interval: float = 2.0,
        backoff: Backoff = RELAY_BACKOFF,
    ) -> None:
        self._engine = engine
        self._broker = broker
        self._metrics = metrics
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._backoff = backoff
        self._wake = asyncio.Event()
        self._listener: Any = None
        self._listener_conn: AsyncConnection | None = None

    async def relay_once(self) -> int:
        """Publishes one batch of pending rows; returns how many were published."""
        async with self._engine.begin() as conn:
            if not (await conn.execute(_LOCK)).scalar_one():
                return 0
            rows = (await conn.execute(_CLAIM, {"limit": self._batch_size})).all()
            if not rows:
                return 0
            records = [OutgoingRecord(r.topic, r.key, r.value, dict(r.headers)) for r in rows]
            futures = [
                await self._broker.publish(
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
        if self._metrics:
            for record in records:
                self._metrics.outbox_published.labels(topic=record.topic).inc()
        return len(rows)

    async def measure_lag(self) -> tuple[int, float]:
        """(pending rows, age in seconds of the oldest one), exported as gauges."""
        async with self._engine.connect() as conn:
            pending, age = (await conn.execute(_LAG)).one()
        if self._metrics:
            self._metrics.outbox_pending.set(pending)
            self._metrics.outbox_oldest_age.set(float(age))
        return int(pending), float(age)

    async def run(self) -> None:
        """Relays until cancelled."""
        failures = 0
        try:
            while True:
                try:
                    await self._listen()
                    published = await self.relay_once()
                    await self.measure_lag()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failures += 1
                    delay = self._backoff.delay(failures)
                    if self._metrics:
                        self._metrics.outbox_relay_errors.labels(error=error_type(exc)).inc()
                    logger.warning(
                        "outbox relay failed (%s, attempt %d); retrying in %.2fs",
                        classify(exc).value,
                        failures,
                        delay,
                        exc_info=exc,
                    )
                    await self._drop_listener()
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                if published < self._batch_size:
                    await self._sleep()
        finally:
            await self._drop_listener()

    async def _sleep(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self._poll_interval)
        self._wake.clear()

    def _notified(self, *_: object) -> None:
        self._wake.set()

    async def _listen(self) -> None:
        """Keeps a LISTEN connection open (best effort: the poll interval covers its loss)."""
        if self._listener_conn is not None and not self._listener_conn.closed:
            raw = self._listener
            if raw is not None and not raw.is_closed():
                return
        await self._drop_listener()
        conn = await self._engine.connect()
        raw_connection = await conn.get_raw_connection()
        driver = raw_connection.driver_connection
        if driver is None:
            raise RuntimeError("no driver connection to LISTEN on")
        await driver.add_listener(NOTIFY_CHANNEL, self._notified)
        self._listener_conn, self._listener = conn, driver

    async def _drop_listener(self) -> None:
        conn, driver = self._listener_conn, self._listener
        self._listener_conn = self._listener = None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            if driver is not None and not driver.is_closed():
                await driver.remove_listener(NOTIFY_CHANNEL, self._notified)
        with contextlib.suppress(Exception):
            await conn.invalidate()
            await conn.close()
