"""Every campaign's progress in gauges (members per variant and state; the daily limit and
what today used of it), measured from the shared tables, for the dashboard's A/B and
throttling panels. Each replica measures the same tables: dashboards take the max."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from smsbus.campaigns.domain import caps
from smsbus.campaigns.observability import CampaignMetrics
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as dispatch_store
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.loops import repeat

RECENT = timedelta(days=1)
"""A finished campaign stays on the dashboard this long."""


@dataclass(frozen=True)
class ProgressGauges:
    sessions: Sessions
    clock: Callable[[], datetime]
    metrics: CampaignMetrics
    interval: float

    async def run(self) -> None:
        backoff = Backoff(initial=self.interval, maximum=10 * self.interval)
        await repeat(
            self.measure, name="campaign progress", interval=self.interval, backoff=backoff
        )

    async def measure(self) -> None:
        now = self.clock()
        async with self.sessions() as session, session.begin():
            counts = await campaign_store.progress(session=session, since=now - RECENT)
            limited = await campaign_store.limited(session=session)
            days = {row.id: caps.campaign_day(now, row.timezone) for row in limited}
            used = await dispatch_store.usage(session=session, days=days)
        daily = [(row.id, row.name, used[row.id], row.daily_limit or 0) for row in limited]
        self.metrics.show_progress(counts, daily)
