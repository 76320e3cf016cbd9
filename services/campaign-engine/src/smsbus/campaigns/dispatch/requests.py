"""The send request for one member's attempt (outbound.requests.v1), built from the rows the
decision was made on. Pure: the dispatcher adds it to the outbox in the intent's transaction,
so a request exists if and only if its intent was committed."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from smsbus.campaigns.domain.egress import REQUESTER, request_id
from smsbus.campaigns.domain.windows import address_states
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow
from smsbus.contracts import Envelope, make_envelope
from smsbus.contracts.outbound import SendRequested, SendWindow

EVENT_TYPE = "send.requested"


def recipient_state(contact: ContactRow | None) -> str | None:
    """The state of the person's known address: its state field, else its ZIP's (the egress
    applies its rules besides the number's). The contract carries one state: when the two
    differ the engine, which holds to both, is the stricter judge."""
    found = address_states(contact.state, contact.zip) if contact is not None else ()
    return found[0] if found else None


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
