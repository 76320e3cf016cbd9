"""Caps and gaps: the campaign's daily limit, the line's daily segment budget, the state
frequency cap for marketing (the lowest of the person's states' rows: 3 per 24 h in FL, MD, OK)
and the minimum gap between campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from smsbus.campaigns.domain.windows import frequency_cap

Purpose = Literal["marketing", "transactional"]


def campaign_day(now: datetime, zone: str) -> date:
    """The calendar day a campaign's daily limit counts in (the campaign's zone)."""
    return now.astimezone(ZoneInfo(zone)).date()


def next_day_start(now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    return midnight.replace(tzinfo=ZoneInfo(zone))


def remaining_today(*, daily_limit: int | None, used_today: int) -> int | None:
    """How many more the campaign may send today; None means no limit."""
    if daily_limit is None:
        return None
    return max(daily_limit - used_today, 0)


def fits_line_budget(*, budget: int | None, used: int, segments: int) -> bool:
    return budget is None or used + segments <= budget


@dataclass(frozen=True)
class ContactHistory:
    """When this number was last sent anything by a campaign (any campaign, marketing only for
    the frequency cap), most recent first."""

    marketing_sends: Sequence[datetime] = ()
    last_campaign_send: datetime | None = None
    last_campaign_id: str | None = None


Refusal = Literal["frequency_cap", "contact_gap"]


def contact_refusal(
    *,
    now: datetime,
    purpose: Purpose,
    states: Sequence[str],
    history: ContactHistory,
    campaign_id: str,
    min_gap: timedelta | None,
) -> tuple[Refusal, datetime] | None:
    """Why this contact must wait, and until when; None when it may be sent now.

    Transactional messages are exempt from marketing caps (never from consent)."""
    if purpose == "transactional":
        return None
    cap = frequency_cap(states)
    if cap is not None:
        # Every marketing text counts as the same subject: the strict reading of the statutes.
        recent = sorted(t for t in history.marketing_sends if now - t < cap.within)
        if len(recent) >= cap.count:
            return "frequency_cap", recent[-cap.count] + cap.within
    last = history.last_campaign_send
    if (
        min_gap is not None
        and last is not None
        and history.last_campaign_id != campaign_id
        and now - last < min_gap
    ):
        return "contact_gap", last + min_gap
    return None
