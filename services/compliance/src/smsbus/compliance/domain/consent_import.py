"""Consent imports as data: one CSV row read into a consent row or refused with its reason,
and what an accepted row does to the number's ledger.

The vocabulary of the `consent` column:

| value | ledger |
|---|---|
| `express` | an express grant (prior express written consent: marketing may be sent) |
| `implied` | an implied grant (a purchase, an enquiry: transactional texts, never marketing) |
| `revoked` | a revocation (the person asked us to stop outside SMS) |
| `none` | nothing is recorded (no consent was given; counted) |

Evidence: `consent_source` (where it was collected: a form, a URL, a store) and `consent_at`
(ISO 8601; without an offset it is UTC; a date alone is midnight UTC; never in the future) are
required for every change; `consent_text` (the wording the person agreed to) for `express`.
An optional `ref` (the sender's own row reference) is kept with the entry and echoed in refusals.

**An import never re-subscribes anyone.** A grant for a number opted out of any purpose it
covers is refused `opted_out` and nothing is appended: only the person's own START (or a new
express consent recorded one by one through `POST /v1/consent`) lifts an opt-out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from smsbus.compliance.domain.consent_words import our_consent_type
from smsbus.compliance.domain.decisions import (
    RECORDED,
    Decision,
    NumberState,
    suppression_after,
)
from smsbus.compliance.domain.ledger import (
    LedgerEntry,
    RevocationScope,
    effective_scope,
    purposes_of,
)
from smsbus.compliance.domain.phones import InvalidPhone, to_e164
from smsbus.contracts import ConsentEvidence

Consent = Literal["express", "implied", "revoked", "none"]
VOCABULARY: tuple[Consent, ...] = ("express", "implied", "revoked", "none")
COLUMNS = ("phone", "consent", "consent_source", "consent_at", "consent_text", "ref")
REQUIRED_COLUMNS = ("phone", "consent")
CLOCK_SKEW = timedelta(minutes=5)
"""How far in our future a `consent_at` may be (the sender's clock)."""
MAX_LENGTH = {"consent_source": 200, "consent_text": 2000, "ref": 200}

Reason = Literal[
    "malformed_row",
    "invalid_phone",
    "invalid_consent",
    "missing_consent_source",
    "missing_consent_at",
    "invalid_consent_at",
    "future_consent_at",
    "missing_consent_text",
    "too_long",
    "duplicate",
    "opted_out",
]


@dataclass(frozen=True)
class ConsentRow:
    """A row that passed validation: the number in E.164 and its evidence."""

    line: int
    phone: str
    consent: Consent
    source: str | None = None
    consented_at: datetime | None = None
    text: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class Refused:
    """A row that is not recorded, and why (`line` is the file's: the header is line 1)."""

    line: int
    reason: Reason
    detail: str
    phone: str | None = None
    """The phone as written in the file."""
    ref: str | None = None


def read_row(
    line: int, values: Mapping[str, str], *, default_region: str, now: datetime
) -> ConsentRow | Refused:
    """One data row (column name → value, names lower-cased) checked against the vocabulary
    and the evidence each value needs."""
    raw_phone = values.get("phone", "").strip()
    ref = values.get("ref", "").strip() or None

    def refused(reason: Reason, detail: str) -> Refused:
        return Refused(line, reason, detail, raw_phone or None, ref)

    for column, limit in MAX_LENGTH.items():
        if len(values.get(column, "")) > limit:
            return refused("too_long", f"{column} is longer than {limit} characters")
    try:
        phone = to_e164(raw_phone, default_region=default_region)
    except InvalidPhone as exc:
        return refused("invalid_phone", f"not a phone number: {exc}")
    consent = our_consent_type(values.get("consent", "").strip().casefold())
    if consent not in VOCABULARY:
        said = f"{consent!r}" if consent else "empty"
        return refused("invalid_consent", f"consent is {said}: express, implied, revoked or none")
    if consent == "none":
        return ConsentRow(line, phone, "none", ref=ref)
    source = values.get("consent_source", "").strip()
    if not source:
        return refused("missing_consent_source", "consent_source is empty: where was it given?")
    written_at = values.get("consent_at", "").strip()
    if not written_at:
        return refused("missing_consent_at", "consent_at is empty: when was it given?")
    consented_at = parse_time(written_at)
    if consented_at is None:
        return refused("invalid_consent_at", f"consent_at {written_at!r} is not ISO 8601")
    if consented_at > now + CLOCK_SKEW:
        return refused("future_consent_at", f"consent_at {written_at!r} is in the future")
    text = values.get("consent_text", "").strip() or None
    if consent == "express" and text is None:
        return refused(
            "missing_consent_text", "express consent needs consent_text: what they agreed to"
        )
    return ConsentRow(line, phone, consent, source, consented_at, text, ref)


def parse_time(written: str) -> datetime | None:
    """ISO 8601 date or date-time; naive ones are UTC."""
    try:
        parsed = datetime.fromisoformat(written)
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(written), time())
        except ValueError:
            return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ImportContext:
    """What every row of one import shares."""

    import_id: int
    scope: str
    """What the import's grants and revocations cover: all, marketing or transactional."""
    actor: str
    """The calling token's name."""
    filename: str | None
    revocation_scope: RevocationScope
    now: datetime


def decide_row(
    row: ConsentRow, state: NumberState, context: ImportContext, *, entry_id: str
) -> Decision | Refused | None:
    """What one accepted row does: a decision to append (a grant, or a revocation with the
    suppression it brings); `opted_out` when a grant would re-subscribe someone; None for
    `none` (nothing to record)."""
    if row.consent == "none":
        return None
    revoking = row.consent == "revoked"
    scope = effective_scope(context.scope, context.revocation_scope) if revoking else context.scope
    if not revoking and purposes_of(scope) & state.opted_out_of:
        return Refused(
            row.line, "opted_out",
            "already opted out: an import never re-subscribes anyone, only their own START does",
            row.phone, row.ref,
        )  # fmt: skip
    assert row.consented_at is not None
    assert row.source is not None
    details = {"import_id": str(context.import_id), "line": str(row.line),
               "consent_source": row.source}  # fmt: skip
    details |= {name: value for name, value in (
        ("consent_text", row.text), ("ref", row.ref), ("filename", context.filename),
    ) if value}  # fmt: skip
    entry = LedgerEntry(
        entry_id=entry_id,
        phone=row.phone,
        action="revoked" if revoking else "granted",
        scope=scope,
        consent_type=None if revoking else row.consent,  # type: ignore[arg-type]
        source="import",
        actor=context.actor,
        evidence=ConsentEvidence(details=details),
        classifier_version=None,
        received_at=row.consented_at,
        recorded_at=context.now,
    )
    return Decision(RECORDED, entry=entry, suppression=suppression_after(entry, state))


def summary_note(*, granted: int, revoked: int, kept_opted_out: int, refused: int) -> str:
    """The import's outcome in one sentence, saying what happened to opted-out numbers."""
    note = f"{granted:,} granted, {revoked:,} revoked, {refused:,} refused"
    if kept_opted_out:
        note += (
            f" ({kept_opted_out:,} already opted out and kept opted out: an import never "
            "re-subscribes anyone, only the person's own START does)"
        )
    return note + "."


REFUSED_KEPT = 100
"""Refused rows listed (the first ones in the file); the counts cover them all."""


@dataclass
class ImportCounts:
    """An import's progress and outcome so far: what it read, what it applied, what it refused
    (counted by reason; the first REFUSED_KEPT rows by line listed)."""

    bytes_read: int = 0
    rows_read: int = 0
    numbers: int = 0
    applied: int = 0
    granted: int = 0
    revoked: int = 0
    no_consent: int = 0
    kept_opted_out: int = 0
    refused: int = 0
    refused_by_reason: dict[str, int] = field(default_factory=dict)
    refused_rows: list[Refused] = field(default_factory=list)

    def refuse(self, rows: Iterable[Refused], *, count: int | None = None) -> None:
        """Counts refused rows (`count` when `rows` is only a sample of them, all of one
        reason) and keeps the first ones by line."""
        listed = list(rows)
        if count is None:
            for row in listed:
                self.refused_by_reason[row.reason] = self.refused_by_reason.get(row.reason, 0) + 1
            self.refused += len(listed)
        elif count:
            reason = listed[0].reason
            self.refused_by_reason[reason] = self.refused_by_reason.get(reason, 0) + count
            self.refused += count
        self.kept_opted_out = self.refused_by_reason.get("opted_out", 0)
        merged = sorted([*self.refused_rows, *listed], key=lambda r: r.line)
        self.refused_rows = merged[:REFUSED_KEPT]

    def applied_one(self, outcome: Decision | Refused | None) -> None:
        self.applied += 1
        if outcome is None:
            self.no_consent += 1
        elif isinstance(outcome, Decision):
            assert outcome.entry is not None
            if outcome.entry.action == "granted":
                self.granted += 1
            else:
                self.revoked += 1

    @property
    def note(self) -> str:
        return summary_note(
            granted=self.granted, revoked=self.revoked, kept_opted_out=self.kept_opted_out,
            refused=self.refused,
        )  # fmt: skip


def percent_done(
    *, status: str, bytes_read: int, file_bytes: int, applied: int, numbers: int
) -> float:
    """Half for reading the file (by bytes), half for applying its numbers; 100 only once the
    import succeeded."""
    if status == "succeeded":
        return 100.0
    read = bytes_read / file_bytes if file_bytes > 0 else 0.0
    done = applied / numbers if numbers > 0 else 0.0
    return min(round(50.0 * read + 50.0 * done, 1), 99.9)
