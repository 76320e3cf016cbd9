"""The consent ledger: append-only entries per number; the current status is derived from them.

Consent is kept per purpose (`marketing`, `transactional`): an entry's `scope` names one
purpose, or anything else (`all`) covers every purpose. Under the revocation scope `all` (the
default) every revocation covers every purpose, whatever its scope says; under `purpose` a
revocation covers the purposes its scope names. Grants always cover what their scope names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
RevocationScope = Literal["all", "purpose"]
"""`all`: a revocation ends every purpose; `purpose`: only the purposes its scope names."""
Scope = Literal["all", "marketing", "transactional"]
ALL = "all"
PURPOSES: tuple[str, ...] = ("marketing", "transactional")
EVERY_PURPOSE: frozenset[str] = frozenset(PURPOSES)


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

    @property
    def scope(self) -> str: ...


def purposes_of(scope: str) -> frozenset[str]:
    """What a scope covers: one purpose by its name, else every purpose (an unclear scope is
    all of them, as the FCC reads an unclear revocation)."""
    return frozenset({scope}) if scope in EVERY_PURPOSE else EVERY_PURPOSE


def effective_scope(scope: str, revocation_scope: RevocationScope) -> str:
    """The scope a revocation is recorded with: `all` unless revocations are per purpose and
    it names one."""
    return scope if revocation_scope == "purpose" and scope in EVERY_PURPOSE else ALL


@dataclass(frozen=True)
class PurposeConsent:
    status: ConsentStatus
    express: bool
    """An express grant after the last revocation of this purpose."""


_UNKNOWN = PurposeConsent("unknown", express=False)


@dataclass(frozen=True)
class ConsentView:
    """A number's consent per purpose, replayed from its ledger."""

    purposes: Mapping[str, PurposeConsent]

    def of(self, purpose: str) -> PurposeConsent:
        return self.purposes.get(purpose, _UNKNOWN)

    @property
    def revoked(self) -> frozenset[str]:
        """The purposes the number is opted out of."""
        return frozenset(p for p, c in self.purposes.items() if c.status == "opted_out")

    @property
    def status(self) -> ConsentStatus:
        """The strictest purpose's: opted out of anything is `opted_out`."""
        statuses = {c.status for c in self.purposes.values()}
        return "opted_out" if "opted_out" in statuses else (
            "opted_in" if "opted_in" in statuses else "unknown"
        )  # fmt: skip


def replay(
    entries: Iterable[_Consent], *, revocation_scope: RevocationScope = "all"
) -> ConsentView:
    """Replay the entries in ledger order, purpose by purpose.

    A revocation always wins over what came before; only an *express* grant lifts it (an
    implied consent, e.g. a purchase, never re-subscribes someone who said stop).
    """
    state = dict.fromkeys(PURPOSES, _UNKNOWN)
    for entry in entries:
        if entry.action == "revoked":
            scope = effective_scope(entry.scope, revocation_scope)
            for purpose in purposes_of(scope):
                state[purpose] = PurposeConsent("opted_out", express=False)
            continue
        for purpose in purposes_of(entry.scope):
            if entry.consent_type == "express":
                state[purpose] = PurposeConsent("opted_in", express=True)
            elif state[purpose].status != "opted_out":
                state[purpose] = PurposeConsent("opted_in", express=state[purpose].express)
    return ConsentView(state)


def derive_status(
    entries: Iterable[_Consent], *, revocation_scope: RevocationScope = "all"
) -> ConsentStatus:
    """The strictest purpose's status (`replay`)."""
    return replay(entries, revocation_scope=revocation_scope).status


def has_express_consent(
    entries: Iterable[_Consent],
    *,
    purpose: str = "marketing",
    revocation_scope: RevocationScope = "all",
) -> bool:
    """True when `purpose` is opted in through an express grant after its last revocation."""
    return replay(entries, revocation_scope=revocation_scope).of(purpose).express


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
