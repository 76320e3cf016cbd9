"""The send request for one member's attempt (outbound.requests.v1), built from the rows the
decision was made on. Pure: the dispatcher adds it to the outbox in the intent's transaction,
so a request exists if and only if its intent was committed."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any

from smsbus.campaigns.domain.egress import REQUESTER, request_id
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow
from smsbus.contracts import Envelope, make_envelope
from smsbus.contracts.outbound import SendRequested, SendWindow

EVENT_TYPE = "send.requested"
_STATE = re.compile(r"^[A-Z]{2}$")


def recipient_state(contact: ContactRow | None) -> str | None:
    """The state of the person's known address, when it looks like one (the egress applies its
    quiet hours besides the number's)."""
    state = (contact.state or "").strip().upper() if contact is not None else ""
    return state if _STATE.fullmatch(state) else None


def window(campaign: CampaignRow) -> SendWindow | None:
    """Marketing only: transactional texts are not held to the campaign's hours."""
    if campaign.purpose != "marketing":
        return None
    return SendWindow(
        days=list(campaign.window_days),
        start=time.fromisoformat(campaign.window_start),
        end=time.fromisoformat(campaign.window_end),
    )


def send_requested(
    *,
    member: MemberRow,
    campaign: CampaignRow,
    contact: ContactRow | None,
    text: str,
    attempt: int,
    now: datetime,
) -> Envelope[Any]:
    rid = request_id(member.id, attempt)
    event = SendRequested(
        request_id=rid,
        purpose="transactional" if campaign.purpose == "transactional" else "marketing",
        requester=REQUESTER,
        to=member.phone,
        line=campaign.line,
        text=text,
        campaign_id=campaign.id,
        member_id=member.id,
        window=window(campaign),
        recipient_state=recipient_state(contact),
        requested_at=now,
        expires_at=None,
    )
    return make_envelope(
        event,
        event_type=EVENT_TYPE,
        event_id=f"{REQUESTER}-{EVENT_TYPE}-{rid}",
        object_id=rid,
        source=REQUESTER,
        occurred_at=now,
        recorded_at=now,
        correlation_id=campaign.id,
    )
