"""One OpenPhone request budget per API key, shared by every process and replica.

GCRA (a token bucket counted in time): one row per key holds the theoretical arrival time
(`tat`), the moment the next request could start if no burst were allowed. A request books its
slot with one atomic statement in database time (every process sees the same clock): the slot
is `max(tat, now)`, `tat` moves on by 1/rate, and the caller sleeps until `slot - tolerance`
(tolerance = (burst - 1) / rate lets a quiet key start `burst` requests at once).

A priority may only book while the schedule is at most its headroom ahead of now (see
smsbus.openphone.budget.HEADROOM); otherwise it waits without booking and asks again. A 429 from
OpenPhone pushes `tat` past the hold-off for everyone on the key.

The row lives in the schema `smsbus_budget`, not in a service's: the budget belongs to the key,
which every service shares, as the broker does. It is created on first use.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from time import monotonic
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.metrics import Metrics
from smsbus.runtime.settings import OpenPhoneSettings

SCHEMA = "smsbus_budget"
MIN_RECHECK = 0.02
"""Seconds between two booking attempts of a priority whose headroom is used up (at least)."""

_SETUP = (
    "SELECT pg_advisory_xact_lock(hashtext('smsbus_budget.setup'))",
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"CREATE TABLE IF NOT EXISTS {SCHEMA}.api_budgets (key text PRIMARY KEY, "
    "tat timestamptz NOT NULL, throttled_total bigint NOT NULL DEFAULT 0)",
)
_ADD_KEY = text(
    f"INSERT INTO {SCHEMA}.api_budgets (key, tat) VALUES (:key, clock_timestamp()) "
    "ON CONFLICT (key) DO NOTHING"
)
# `ahead`: how far the schedule is booked beyond now; booked only within the headroom.
_BOOK = text(
    f"""
    WITH cur AS (
      SELECT greatest(b.tat, t.now) AS slot, t.now
      FROM {SCHEMA}.api_budgets b, (SELECT clock_timestamp() AS now) t
      WHERE b.key = :key FOR UPDATE OF b
    ), booked AS (
      UPDATE {SCHEMA}.api_budgets b SET tat = cur.slot + make_interval(secs => :interval)
      FROM cur WHERE b.key = :key AND cur.slot - cur.now <= make_interval(secs => :headroom)
      RETURNING 1
    )
    SELECT extract(epoch FROM cur.slot - cur.now)::float8 AS ahead,
           EXISTS (SELECT 1 FROM booked) AS booked
    FROM cur
    """
)
_THROTTLE = text(
    f"UPDATE {SCHEMA}.api_budgets SET throttled_total = throttled_total + 1, "
    "tat = greatest(tat, clock_timestamp() + make_interval(secs => :seconds)) WHERE key = :key"
)


def key_id(base_url: str, api_key: str) -> str:
    """Names a key without keeping it: a digest of (base URL, key)."""
    material = f"{base_url.rstrip('/').lower()}\n{api_key}"
    return hashlib.sha256(material.encode()).hexdigest()


class SharedBudget:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        key: str,
        headroom: Mapping[Any, float],
        rate: float = 10.0,
        burst: int = 5,
        on_wait: Callable[[str, float], None] | None = None,
        on_throttled: Callable[[], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`key`: `key_id(base_url, api_key)`. `on_wait(priority, seconds)` and `on_throttled()`
        feed the caller's metrics."""
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._setup_engine = engine
        self._key = key
        self._headroom = headroom
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) / rate
        self._on_wait = on_wait
        self._on_throttled = on_throttled
        self._sleep = sleep
        self._ready = False
        self.rate = rate
        self.burst = burst

    async def ensure(self) -> None:
        """The schema, the table and this key's row (idempotent; serialised across processes)."""
        async with self._setup_engine.begin() as conn:
            for statement in _SETUP:
                await conn.execute(text(statement))
            await conn.execute(_ADD_KEY, {"key": self._key})
        self._ready = True

    async def acquire(self, priority: str) -> float:
        """Waits for the slot; returns its moment on `time.monotonic()`'s clock. The slot is
        placed from when the booking was sent, not when its answer came back, so a slow answer
        (a busy process) does not push this request onto the next one's heels."""
        headroom = self._headroom[priority] + self._tolerance
        began = monotonic()
        while True:
            if not self._ready:
                await self.ensure()
            asked = monotonic()
            async with self._engine.connect() as conn:
                row = (
                    await conn.execute(
                        _BOOK,
                        {"key": self._key, "interval": self._interval, "headroom": headroom},
                    )
                ).first()
            if row is None:  # the row went away (a test dropped the schema): make it again
                self._ready = False
                continue
            if row.booked:
                slot = asked + max(0.0, float(row.ahead) - self._tolerance)
                break
            # Higher priorities have booked the schedule beyond our headroom: wait, unbooked.
            await self._pause(max(MIN_RECHECK, float(row.ahead) - headroom))
        await self._pause(slot - monotonic())
        if self._on_wait is not None:
            self._on_wait(priority, max(0.0, slot - began))
        return slot

    async def throttled(self, seconds: float) -> None:
        if not self._ready:
            await self.ensure()
        async with self._engine.connect() as conn:
            hold = seconds + self._tolerance
            await conn.execute(_THROTTLE, {"key": self._key, "seconds": hold})
        if self._on_throttled is not None:
            self._on_throttled()

    async def _pause(self, seconds: float) -> None:
        if seconds > 0:
            await self._sleep(seconds)


def shared_budget(
    engine: AsyncEngine,
    *,
    base_url: str,
    api_key: str,
    headroom: Mapping[Any, float],
    rate: float = 10.0,
    burst: int = 5,
    metrics: Metrics | None = None,
) -> SharedBudget:
    """The key's budget for a service, with its instruments: the wait for a slot by priority
    (`openphone_budget_wait_seconds`) and the 429s seen (`openphone_throttled_total`)."""
    on_wait = on_throttled = None
    if metrics is not None:
        wait = metrics.histogram(
            "openphone_budget_wait_seconds",
            "Time a request waited for its slot of the key's shared budget, by priority.",
            ["priority"],
            # Bulk work may wait minutes behind a busy key; confirmations should wait ~nothing.
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
        )
        throttled = metrics.counter(
            "openphone_throttled_total",
            "429 answers from OpenPhone (each slows the key's budget for every process).",
        )

        def on_wait(priority: str, seconds: float) -> None:
            wait.labels(priority=priority).observe(seconds)

        on_throttled = throttled.inc
    return SharedBudget(
        engine=engine,
        key=key_id(base_url, api_key),
        headroom=headroom,
        rate=rate,
        burst=burst,
        on_wait=on_wait,
        on_throttled=on_throttled,
    )


def key_budget(
    engine: AsyncEngine,
    settings: OpenPhoneSettings,
    *,
    headroom: Mapping[Any, float],
    metrics: Metrics | None = None,
) -> SharedBudget:
    """The shared budget of the key `settings` names (SMSBUS_OPENPHONE_*)."""
    return shared_budget(
        engine,
        base_url=settings.openphone_base_url,
        api_key=settings.openphone_api_key.get_secret_value(),
        headroom=headroom,
        rate=settings.openphone_rate,
        burst=settings.openphone_burst,
        metrics=metrics,
    )
