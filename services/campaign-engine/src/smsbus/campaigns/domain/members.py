"""What each fact does to a campaign member: a provider status, a reply, the egress's answer to
its send request. Pure: each function takes the member as it is (a plain copy of its row) and
returns it as it becomes, with the member events to publish, in order; the caller writes both
in one transaction. Who may move at all (the member's current request, the reply window) is the
caller's look-up; what the move is, is decided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from smsbus.campaigns.domain import egress, sentiment
from smsbus.campaigns.domain import status as machine
from smsbus.contracts.campaigns import MemberFailed, MemberResponded, MemberSent, MemberSkipped

MemberEvent = MemberSent | MemberSkipped | MemberFailed | MemberResponded


@dataclass(frozen=True)
class Member:
    """A campaign member as its rules read and change it."""

    id: str
    campaign_id: str
    contact_id: str
    phone: str
    variant: str
    """Who: what every member event names."""
    status: str
    reason: str | None = None
    next_attempt_at: datetime | None = None
    """Where it stands: its status, why, when it is due again (pending)."""
    message_id: str | None = None
    segments: int | None = None
    encoding: str | None = None
    recovered: bool = False
    """Its send: OpenPhone's message id and how the text was counted."""
    sent_at: datetime | None = None
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    responded_at: datetime | None = None
    opted_out_at: datetime | None = None
    """When each fact about its send happened."""
    reply_message_id: str | None = None
    reply_text: str | None = None
    reply_sentiment: str | None = None
    """Its first reply."""


@dataclass(frozen=True)
class Moved:
    """The member after the fact, and the events it publishes (in this order)."""

    member: Member
    events: tuple[MemberEvent, ...] = ()


def event_fields(member: Member, at: datetime) -> dict[str, Any]:
    """The fields every member event carries."""
    return {
        "member_id": member.id,
        "campaign_id": member.campaign_id,
        "contact_id": member.contact_id,
        "phone": member.phone,
        "variant": member.variant,
        "at": at,
    }


def after_status(member: Member, status: str, at: datetime) -> Moved:
    """A provider status (delivered / undelivered / failed) of the member's recorded send:
    late and backward news changes nothing; a failure after the send fails the member."""
    before = member.status
    after = machine.advance(before, status)
    moved = member
    if status == "delivered" and member.delivered_at is None and before not in machine.TERMINAL:
        moved = replace(moved, delivered_at=at)
    if after == before:
        return Moved(moved)
    moved = replace(moved, status=after)
    if after not in ("failed", "undelivered"):
        return Moved(moved)
    moved = replace(moved, failed_at=at, reason=after)
    failed = MemberFailed(**event_fields(moved, at), reason=after, message_id=moved.message_id)
    return Moved(moved, (failed,))


@dataclass(frozen=True)
class Parked:
    """A provider status that arrived before its send was recorded."""

    status: str
    at: datetime | None


def after_sent(
    member: Member,
    *,
    message_id: str,
    line: str,
    at: datetime,
    recovered: bool,
    parked: Sequence[Parked] = (),
) -> Moved:
    """OpenPhone has the text: the member is sent (member.sent), then the statuses parked for
    its message apply, in the order they were parked."""
    sent = replace(
        member,
        status=machine.advance(member.status, "sent"),
        message_id=message_id,
        sent_at=at,
        recovered=recovered,
    )
    event = MemberSent(
        **event_fields(sent, at),
        message_id=message_id,
        line=line,
        segments=sent.segments or 1,
        encoding="UCS-2" if sent.encoding == "UCS-2" else "GSM-7",
        recovered=recovered,
    )
    moved = Moved(sent, (event,))
    for status in parked:
        later = after_status(moved.member, status.status, status.at or at)
        moved = Moved(later.member, moved.events + later.events)
    return moved


def after_reply(member: Member, *, message_id: str, text: str, at: datetime) -> Moved | None:
    """A reply to the member's send marks it responded, with the reply's sentiment; only the
    first reply counts (None: nothing to change)."""
    if member.responded_at is not None:
        return None
    label = sentiment.label(text)
    responded = replace(
        member,
        responded_at=at,
        reply_message_id=message_id,
        reply_text=text,
        reply_sentiment=label,
        status=machine.advance(member.status, "responded"),
    )
    event = MemberResponded(**event_fields(responded, at), message_id=message_id, sentiment=label)
    return Moved(responded, (event,))


def after_send_failed(member: Member, *, reason: str, at: datetime) -> Moved:
    """OpenPhone refused the message itself, or the egress gave up: the member fails."""
    failed = replace(member, status="failed", reason=reason, failed_at=at, next_attempt_at=None)
    return Moved(failed, (MemberFailed(**event_fields(failed, at), reason=reason),))


@dataclass(frozen=True)
class NotSent:
    """A request the egress did not send: the member's move, the campaign's pause reason (if
    it pauses) and the member's outcome for the dispatch counter."""

    moved: Moved
    pause: str | None
    outcome: str


def after_not_sent(
    member: Member, action: egress.Requeue | egress.Skip, *, now: datetime
) -> NotSent:
    """Skipped (member.skipped) when the gate refused the person; else pending again, due at
    the action's time, and the campaign paused when the action says so."""
    if isinstance(action, egress.Skip):
        skipped = replace(member, status="skipped", reason=action.reason, next_attempt_at=None)
        event = MemberSkipped(**event_fields(skipped, now), reason=action.reason)
        return NotSent(Moved(skipped, (event,)), None, "refused")
    waiting = replace(member, status="pending", reason=action.reason, next_attempt_at=action.at)
    if action.pause is not None:
        outcome = "paused"
    elif action.reason == egress.LINE_DAILY_CAP:
        outcome = "capped"
    else:
        outcome = "requeued"
    return NotSent(Moved(waiting), action.pause, outcome)
