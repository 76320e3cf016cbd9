"""Events the ingest-webhooks service emits about webhooks it could not turn into contracts."""

from typing import Literal

from pydantic import AwareDatetime

from smsbus.contracts.base import OwnEvent

RejectionReason = Literal[
    "malformed_json",
    "unknown_event_type",
    "unsupported_api_version",
    "invalid_payload",
]


class WebhookRejected(OwnEvent):
    """An authentic webhook that did not parse; kept whole so an operator can replay it."""

    body: str
    """The raw request body: UTF-8 text, or base64 when it was not valid UTF-8."""
    body_encoding: Literal["utf-8", "base64"]
    reason: RejectionReason
    reason_detail: str
    """Human-readable detail, e.g. the validation error."""
    event_type: str | None
    """The `type` the body claimed, when it could be read."""
    headers: dict[str, str]
    """The request headers, names lower-cased."""
    signature_scheme: Literal["openphone-signature", "standard-webhooks"]
    received_at: AwareDatetime
