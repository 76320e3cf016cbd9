"""A claimed batch decided at once. Pure: each member's decision (`decide.decide`) in claim
order, with the counts a send uses moving on as sends are decided, so a member sees the sends
decided before it in the same batch: the campaign's sends today (its daily limit), the line's
segments today (its segment budget) and the number's history (frequency cap, gap)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from smsbus.campaigns.domain import caps, decide


@dataclass(frozen=True)
class Limits:
    """A campaign's own limits and where they are counted."""

    daily_limit: int | None
    zone: str
    """The campaign's day (for its daily limit) is the calendar day in this zone."""
    line: str
    line_segment_budget: int | None


@dataclass(frozen=True)
class Due:
    """One claimed member and what was looked up about it."""

    campaign_id: str
    phone: str
    person: decide.Member | None
    """None: the contact is gone."""
    suppressed: bool
    ineligible: Sequence[str]


@dataclass
class Counts:
    """What is counted today so far; moves on with every send decided."""

    used: dict[str, int]
    """Campaign id → sends on the campaign's day."""
    line_segments: dict[str, int]
    """Line → segments on the UTC day."""
    history: dict[str, caps.ContactHistory]
    """Number → its campaign sends."""

    def add_send(
        self, now: datetime, campaign: decide.Campaign, line: str, phone: str, segments: int
    ) -> None:
        self.used[campaign.id] += 1
        self.line_segments[line] += segments
        old = self.history[phone]
        marketing = old.marketing_sends
        if campaign.purpose == "marketing":
            marketing = [now, *marketing]
        self.history[phone] = caps.ContactHistory(marketing, now, campaign.id)


def decide_batch(
    now: datetime,
    due: Sequence[Due],
    campaigns: Mapping[str, decide.Campaign],
    limits: Mapping[str, Limits],
    counts: Counts,
) -> list[decide.Decision]:
    """One decision per member of `due`, in order; `counts` includes the sends decided."""
    decisions: list[decide.Decision] = []
    for member in due:
        campaign, limit = campaigns[member.campaign_id], limits[member.campaign_id]
        decision = _decide(now, member, campaign, limit, counts)
        if isinstance(decision, decide.Send):
            counts.add_send(now, campaign, limit.line, member.phone, decision.segments)
        decisions.append(decision)
    return decisions


def _decide(
    now: datetime, member: Due, campaign: decide.Campaign, limit: Limits, counts: Counts
) -> decide.Decision:
    if member.person is None:
        return decide.Skip("contact_deleted")
    checks = decide.Checks(
        suppressed=member.suppressed,
        ineligible=member.ineligible,
        history=counts.history[member.phone],
        daily_remaining=caps.remaining_today(
            daily_limit=limit.daily_limit, used_today=counts.used[campaign.id]
        ),
        line_budget_left=None
        if limit.line_segment_budget is None
        else limit.line_segment_budget - counts.line_segments[limit.line],
    )
    decision = decide.decide(now, campaign, member.person, checks)
    if isinstance(decision, decide.Wait):
        # A spent limit waits for its next day: the campaign's for the daily limit, the UTC
        # day the line's segments are counted in for the segment budget.
        if decision.reason == "daily_limit":
            return decide.Wait(caps.next_day_start(now, limit.zone), decision.reason)
        if decision.reason == "line_segment_budget":
            next_utc_day = caps.next_day_start(now, "UTC").astimezone(UTC)
            return decide.Wait(next_utc_day, decision.reason)
    return decision
