"""The consent ledger: append-only entries per number; the current status is derived from them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from smsbus.contracts import (
    ConsentEvidence,
    ConsentGranted,
    ConsentRevoked,
    ConsentSource,
    ConsentType,
)

Action = Literal["granted", "revoked"]
ConsentStatus = Literal["opted_out", "opted_in", "unknown"]
ALL = "all"


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: str
    phone: str
    action: Action
    scope: str
    consent_type: ConsentType | None
    """express or implied for a grant; None for a revocation."""
    source: ConsentSource
    actor: str
    evidence: ConsentEvidence
    classifier_version: str | None
    received_at: datetime
    """When the person asked (the message's createdAt for SMS)."""
    recorded_at: datetime
    """When we appended it."""
    ingested_at: datetime | None = None
    """When ingest accepted the webhook that carried it (SMS only)."""
    dedupe_key: str | None = None
    """The inbound event it came from (SMS only)."""


class _Consent(Protocol):
    @property
    def action(self) -> str: ...

    @property
    def consent_type(self) -> str | None: ...


def derive_status(entries: Iterable[_Consent]) -> ConsentStatus:
    """Replay the entries in ledger order.

    A revocation always wins over what came before; only an *express* grant lifts it (an
    implied consent, e.g. a purchase, never re-subscribes someone who said stop).
    """
    status: ConsentStatus = "unknown"
    for entry in entries:
        if entry.action == "revoked":
            status = "opted_out"
        elif entry.consent_type == "express" or status != "opted_out":
            status = "opted_in"
    return status


def has_express_consent(entries: Iterable[_Consent]) -> bool:
    """True when the status is opted_in through an express grant after the last revocation."""
    express = False
    for entry in entries:
        if entry.action == "revoked":
            express = False
        elif entry.consent_type == "express":
            express = True
    return express


def to_event(entry: LedgerEntry) -> ConsentRevoked | ConsentGranted:
    """The event that tells other services about this entry."""
    common = {
        "entry_id": entry.entry_id,
        "phone": entry.phone,
        "scope": entry.scope,
        "source": entry.source,
        "actor": entry.actor,
        "evidence": entry.evidence,
        "classifier_version": entry.classifier_version,
        "received_at": entry.received_at,
        "recorded_at": entry.recorded_at,
    }
    if entry.action == "revoked":
        return ConsentRevoked.model_validate(common)
    return ConsentGranted.model_validate(common | {"consent_type": entry.consent_type})
