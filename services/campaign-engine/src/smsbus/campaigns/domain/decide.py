"""The dispatcher's decision for one due member: skip (with the reason), wait (until when), or
send (this text, this many segments). Pure: everything it needs is passed in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from smsbus.campaigns.domain import caps, templates, windows


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Wait:
    until: datetime
    reason: str


@dataclass(frozen=True)
class Send:
    text: str
    segments: int
    encoding: str


Decision = Skip | Wait | Send


@dataclass(frozen=True)
class Campaign:
    id: str
    purpose: caps.Purpose
    window: windows.SendWindow
    min_gap: timedelta | None
    templates: Mapping[str, templates.Template]


@dataclass(frozen=True)
class Member:
    phone: str
    variant: str
    values: Mapping[str, object]
    address_state: str | None = None
    address_zip: str | None = None
    office_number: bool = False
    do_not_contact: bool = False
    recently_texted_until: datetime | None = None


@dataclass(frozen=True)
class Checks:
    """What was looked up for this member just now."""

    suppressed: bool
    ineligible: Sequence[str]
    """compliance's reasons not to send (empty: may send)."""
    history: caps.ContactHistory
    daily_remaining: int | None
    line_budget_left: int | None = None
    """Segments left in the campaign's own `line_segment_budget` today (the line's daily cap
    for all campaigns together is the egress's: it defers what exceeds it)."""


def decide(now: datetime, campaign: Campaign, member: Member, checks: Checks) -> Decision:
    if checks.suppressed:
        return Skip("opted_out")
    if checks.ineligible:
        return Skip(checks.ineligible[0])
    if member.do_not_contact:
        return Skip("do_not_contact")
    if member.office_number:
        return Skip("office_number")
    if member.recently_texted_until is not None and member.recently_texted_until > now:
        return Skip("recently_texted")
    try:
        text = templates.render(campaign.templates[member.variant], member.values)
    except templates.Unresolved as exc:
        return Skip(f"unresolved_placeholder:{exc.field}")
    if not text.strip():
        return Skip("empty_message")
    where = windows.locality(member.phone, member.address_state, member.address_zip)
    refusal = caps.contact_refusal(
        now=now,
        purpose=campaign.purpose,
        states=where.states,
        history=checks.history,
        campaign_id=campaign.id,
        min_gap=campaign.min_gap,
    )
    if refusal is not None:
        reason, until = refusal
        if reason == "contact_gap":
            return Skip("contact_gap")
        return Wait(until, reason)
    if not windows.is_open(now, where, campaign.window):
        opens = windows.next_open(now, where, campaign.window)
        if opens is None:
            return Skip("no_send_window")
        return Wait(opens, "outside_window")
    if checks.daily_remaining is not None and checks.daily_remaining <= 0:
        return Wait(now, "daily_limit")  # the caller moves it to the next day
    counted = templates.segments(text)
    if checks.line_budget_left is not None and counted.segments > checks.line_budget_left:
        return Wait(now, "line_segment_budget")
    return Send(text, counted.segments, counted.encoding)
