"""The envelopes of compliance's own events (consent.revoked / consent.granted)."""

from __future__ import annotations

from typing import Any

from smsbus.compliance.domain.ledger import LedgerEntry, to_event
from smsbus.contracts import Envelope, make_envelope

SOURCE = "compliance"


def consent_envelope(
    entry: LedgerEntry, cause: Envelope[Any] | None = None, *, correlation_id: str | None = None
) -> Envelope[Any]:
    """`cause`: the inbound event it answers (its correlation id is kept); `correlation_id`
    otherwise (an import's id)."""
    event = to_event(entry)
    return make_envelope(
        event,
        event_type=f"consent.{entry.action}",
        event_id=f"{SOURCE}-{entry.entry_id}",
        object_id=entry.entry_id,
        source=SOURCE,
        occurred_at=entry.received_at,
        recorded_at=entry.recorded_at,
        correlation_id=(cause.correlation_id or cause.event_id) if cause else correlation_id,
    )
