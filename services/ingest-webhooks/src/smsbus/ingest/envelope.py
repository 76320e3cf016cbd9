"""Pure envelope builders: a parsed webhook or a refused body in, an Envelope out.

No clock and no randomness here: `recorded_at` / `received_at` are passed in, event ids come
from OpenPhone (or, for a body without one, from the body's digest, so a redelivery of the same
unreadable body gets the same id). A webhook starts a causal chain, so its correlation id is its
own event id: whatever follows from it (a consent, a reply) carries that id on.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Literal, overload

from pydantic import BaseModel

from smsbus.contracts import (
    Call,
    CallSummary,
    CallTranscript,
    Contact,
    Envelope,
    Message,
    RejectionReason,
    WebhookRejected,
    make_envelope,
)
from smsbus.ingest.parsing import ParsedWebhook
from smsbus.openphone.signing import Scheme

WEBHOOK_SOURCE: Final = "openphone.webhook"
REJECTED_SOURCE: Final = "ingest-webhooks"
REJECTED_TYPE: Final = "webhook.rejected"

# The field naming the object a webhook is about: the dedupe key is "<type>:<that id>".
OBJECT_ID_FIELD: Final[Mapping[type[BaseModel], str]] = {
    Message: "id",
    Call: "id",
    CallSummary: "call_id",
    CallTranscript: "call_id",
    Contact: "id",
}

SCHEME_NAMES: Final[Mapping[Scheme, Literal["openphone-signature", "standard-webhooks"]]] = {
    Scheme.OPENPHONE: "openphone-signature",
    Scheme.STANDARD: "standard-webhooks",
}

# Headers whose values could be credentials, should a proxy ever forward them to us.
REDACTED_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})


def object_id(data: BaseModel) -> str:
    return str(getattr(data, OBJECT_ID_FIELD[type(data)]))


def webhook_envelope(parsed: ParsedWebhook, *, recorded_at: datetime) -> Envelope[Any]:
    return make_envelope(
        parsed.data,
        event_type=parsed.event_type,
        event_id=parsed.event_id,
        object_id=object_id(parsed.data),
        source=WEBHOOK_SOURCE,
        occurred_at=parsed.occurred_at,
        recorded_at=recorded_at,
        correlation_id=parsed.event_id,
    )


@overload
def encodable(text: str) -> str: ...
@overload
def encodable(text: None) -> None: ...
def encodable(text: str | None) -> str | None:
    """`text` with anything UTF-8 cannot carry (a lone surrogate from a JSON escape) as "?":
    what a body claimed must not stop its quarantine record from being written."""
    return None if text is None else text.encode("utf-8", "replace").decode("utf-8")


def rejected_event_id(body: bytes) -> str:
    return "rejected-" + hashlib.sha256(body).hexdigest()[:32]


def rejected_envelope(
    *,
    body: bytes,
    reason: RejectionReason,
    detail: str,
    event_type: str | None,
    event_id: str | None,
    headers: Mapping[str, str],
    scheme: Scheme,
    received_at: datetime,
) -> Envelope[WebhookRejected]:
    """The whole request, kept for a replay once the contract or the parser is fixed."""
    encoding: Literal["utf-8", "base64"] = "utf-8"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(body).decode("ascii"), "base64"
    rejected = WebhookRejected(
        body=text,
        body_encoding=encoding,
        reason=reason,
        reason_detail=encodable(detail),
        event_type=encodable(event_type),
        headers={
            name.lower(): "[redacted]" if name.lower() in REDACTED_HEADERS else value
            for name, value in headers.items()
        },
        signature_scheme=SCHEME_NAMES[scheme],
        received_at=received_at,
    )
    the_id = encodable(event_id) or rejected_event_id(body)
    return make_envelope(
        rejected,
        event_type=REJECTED_TYPE,
        event_id=the_id,
        object_id=the_id,
        source=REJECTED_SOURCE,
        occurred_at=received_at,
        recorded_at=received_at,
        correlation_id=the_id,
    )
