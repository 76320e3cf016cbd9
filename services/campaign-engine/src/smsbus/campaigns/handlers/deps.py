"""What every handler gets besides its event and the batch's transaction: the clock, topics,
counters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from smsbus.campaigns.eligibility import EligibilityClient


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class Deps:
    clock: Callable[[], datetime]
    events_topic: str
    reply_window: timedelta = timedelta(days=7)
    default_region: str = "US"
    eligibility: EligibilityClient | None = None
    count: Callable[[str], None] = _ignore
    """A member outcome of an egress result (members_dispatched_total)."""
    paused: Callable[[str], None] = _ignore
    """A campaign paused, with the reason (campaign_pauses_total)."""
