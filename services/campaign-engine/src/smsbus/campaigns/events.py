"""Member events (campaigns.events.v1), built with deterministic ids: one of each kind per member,
so a redelivered handler or a recovered send rebuilds the same event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smsbus.campaigns.models import MemberRow
from smsbus.campaigns.settings import SERVICE
from smsbus.contracts import Envelope, make_envelope
from smsbus.contracts.campaigns import MemberFailed, MemberResponded, MemberSent, MemberSkipped

Event = MemberSent | MemberSkipped | MemberFailed | MemberResponded

_TYPES: dict[type[Event], str] = {
    MemberSent: "member.sent",
    MemberSkipped: "member.skipped",
    MemberFailed: "member.failed",
    MemberResponded: "member.responded",
}


def member_fields(member: MemberRow, at: datetime) -> dict[str, Any]:
    return {
        "member_id": member.id,
        "campaign_id": member.campaign_id,
        "contact_id": member.contact_id,
        "phone": member.phone,
        "variant": member.variant,
        "at": at,
    }


def envelope(event: Event, *, recorded_at: datetime) -> Envelope[Any]:
    event_type = _TYPES[type(event)]
    return make_envelope(
        event,
        event_type=event_type,
        event_id=f"{SERVICE}-{event_type}-{event.member_id}",
        object_id=event.member_id,
        source=SERVICE,
        occurred_at=event.at,
        recorded_at=recorded_at,
        correlation_id=event.campaign_id,
    )
