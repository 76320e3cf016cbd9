"""Tiny builders for tests: fixed clock, deterministic ids, one person and one line."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from smsbus.compliance.domain.classifier import classify
from smsbus.compliance.domain.decisions import InboundSms, NumberState
from smsbus.compliance.domain.ledger import LedgerEntry
from smsbus.compliance.domain.texts import configured_texts
from smsbus.contracts import ConsentEvidence, Envelope, Message, make_envelope

NOW = datetime(2026, 3, 2, 15, 0, 0, tzinfo=UTC)
PERSON = "+14155552671"
OUR_NUMBER = "+14155550100"
LINE = "PNtoDbDhuz"
TEXTS = configured_texts(
    brand="Acme Fences",
    support_contact="help@acme.test",
    overrides={"en": {"frequency": "Up to 4 msgs/mo"}, "es": {"frequency": "Hasta 4 msjs/mes"}},
)

_counter = itertools.count(1)


def an_sms(text: str = "STOP", **overrides: Any) -> InboundSms:
    fields: dict[str, Any] = {
        "message_id": "AC0001",
        "phone": PERSON,
        "line": LINE,
        "text": text,
        "received_at": NOW - timedelta(seconds=2),
        "ingested_at": NOW - timedelta(seconds=1),
        "dedupe_key": "message.received:AC0001",
    }
    return InboundSms(**(fields | overrides))


def a_state(status: str = "unknown", suppressed: bool = False, **overrides: Any) -> NumberState:
    return NumberState(status=status, suppressed=suppressed, **overrides)  # type: ignore[arg-type]


def ids(prefix: str = "id") -> Any:
    return lambda purpose: f"{prefix}-{purpose}"


def an_entry(
    action: str = "revoked", consent_type: str | None = None, **overrides: Any
) -> LedgerEntry:
    fields: dict[str, Any] = {
        "entry_id": f"E{next(_counter)}",
        "phone": PERSON,
        "action": action,
        "scope": "all",
        "consent_type": consent_type,
        "source": "sms",
        "actor": "compliance",
        "evidence": ConsentEvidence(text="STOP"),
        "classifier_version": classify("STOP").classifier_version,
        "received_at": NOW,
        "recorded_at": NOW,
    }
    return LedgerEntry(**(fields | overrides))


def a_message(
    text: str = "STOP", *, message_id: str = "AC0001", phone: str = PERSON, **overrides: Any
) -> Message:
    fields: dict[str, Any] = {
        "id": message_id,
        "from": phone,
        "to": [OUR_NUMBER],
        "direction": "incoming",
        "text": text,
        "status": "received",
        "createdAt": NOW,
        "phoneNumberId": LINE,
    }
    return Message.model_validate(fields | overrides)


def a_received_event(
    text: str = "STOP",
    *,
    message_id: str = "AC0001",
    phone: str = PERSON,
    source: str = "openphone.webhook",
    event_id: str | None = None,
    recorded_at: datetime = NOW,
    **overrides: Any,
) -> Envelope[Message]:
    return make_envelope(
        a_message(text, message_id=message_id, phone=phone, **overrides),
        event_type="message.received",
        event_id=event_id or f"EV{message_id}",
        object_id=message_id,
        source=source,
        occurred_at=NOW,
        recorded_at=recorded_at,
    )
