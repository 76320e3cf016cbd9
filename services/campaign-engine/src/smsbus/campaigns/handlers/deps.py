"""What every handler gets: sessions, the clock, topics, the consumer name, counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.runtime.db import Sessions


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class Deps:
    sessions: Sessions
    clock: Callable[[], datetime]
    events_topic: str
    consumer: str = "campaign-engine"
    reply_window: timedelta = timedelta(days=7)
    default_region: str = "US"
    eligibility: EligibilityClient | None = None
    count: Callable[[str], None] = _ignore
    """A member outcome of an egress result (members_dispatched_total)."""
    paused: Callable[[str], None] = _ignore
    """A campaign paused, with the reason (campaign_pauses_total)."""
