"""How many requests are not final yet, by purpose (a gauge: a growing queue means texts wait)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.domain.gate import PRIORITY
from smsbus.compliance.observability import EgressMetrics
from smsbus.compliance.store import outbound as store
from smsbus.runtime.loops import repeat


async def watch_open_requests(
    engine: AsyncEngine, metrics: EgressMetrics, interval: float = 5.0
) -> None:
    """Refreshes the gauge until cancelled."""

    async def measure() -> None:
        async with engine.connect() as conn:
            counts = await store.open_counts(conn=conn)
        for purpose in PRIORITY:
            metrics.open.labels(purpose=purpose).set(counts.get(purpose, 0))

    await repeat(measure, name="counting open requests", interval=interval)
