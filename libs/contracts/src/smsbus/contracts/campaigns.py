"""Events the campaign engine emits about campaign members (`campaigns.events.v1`).

Each is written through the engine's outbox in the transaction that changed the member, and
keyed by the member id, so one member's history stays in order.
"""

from typing import Literal

from pydantic import AwareDatetime, Field

from smsbus.contracts.base import OwnEvent


class _MemberEvent(OwnEvent):
    member_id: str = Field(min_length=1)
    """The campaign member (one contact in one campaign)."""
    campaign_id: str = Field(min_length=1)
    contact_id: str = Field(min_length=1)
    phone: str = Field(pattern=r"^\+[1-9]\d{1,14}$")
    """The recipient, E.164."""
    variant: str | None = None
    """The A/B variant the member was assigned to."""
    at: AwareDatetime
    """When it happened (the engine's clock)."""


class MemberSent(_MemberEvent):
    """OpenPhone accepted the member's message."""

    outcome: Literal["sent"] = "sent"
    message_id: str = Field(min_length=1)
    """OpenPhone's message id (`AC…`)."""
    line: str = Field(min_length=1)
    """The sending line (`PN…` id or E.164)."""
    segments: int = Field(ge=1)
    encoding: Literal["GSM-7", "UCS-2"]
    recovered: bool = False
    """True when the send was found at OpenPhone after an unknown outcome or a crash."""


class MemberSkipped(_MemberEvent):
    """The member will not be sent this campaign's message."""

    outcome: Literal["skipped"] = "skipped"
    reason: str = Field(min_length=1)
    """`opted_out`, a compliance reason (`dnc`, `invalid`, `toll_free`…), `office_number`,
    `do_not_contact`, `recently_texted`, `contact_gap`, `unresolved_placeholder:<field>`…"""


class MemberFailed(_MemberEvent):
    """Sending failed for good, or the carrier reported the message failed/undelivered."""

    outcome: Literal["failed"] = "failed"
    reason: str = Field(min_length=1)
    message_id: str | None = None


class MemberResponded(_MemberEvent):
    """The member replied within the attribution window of a send."""

    outcome: Literal["responded"] = "responded"
    message_id: str = Field(min_length=1)
    """The reply's OpenPhone message id."""
    sentiment: Literal["positive", "negative", "neutral"]
