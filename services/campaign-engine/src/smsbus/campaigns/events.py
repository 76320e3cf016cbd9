"""Member events (campaigns.events.v1) in their envelopes, with deterministic ids: one of each
kind per member, so a redelivered handler or a recovered send rebuilds the same event. The
events themselves are the domain's (domain/members.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smsbus.campaigns.domain.members import MemberEvent
from smsbus.campaigns.settings import SERVICE
from smsbus.contracts import Envelope, make_envelope
from smsbus.contracts.campaigns import MemberFailed, MemberResponded, MemberSent, MemberSkipped

_TYPES: dict[type[MemberEvent], str] = {
    MemberSent: "member.sent",
    MemberSkipped: "member.skipped",
    MemberFailed: "member.failed",
    MemberResponded: "member.responded",
}


def envelope(event: MemberEvent, *, recorded_at: datetime) -> Envelope[Any]:
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
