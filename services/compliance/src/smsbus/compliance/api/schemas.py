"""The HTTP API's wire shapes (never tables, never events)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema, model_validator

from smsbus.compliance.domain.classifier import Intent
from smsbus.compliance.domain.consent_words import (
    CONSENT_TYPES,
    SOURCES,
    our_consent_type,
    our_source,
)
from smsbus.compliance.domain.eligibility import Purpose, Reason
from smsbus.compliance.domain.ledger import ConsentStatus, ConsentView, Scope
from smsbus.compliance.domain.phones import LineType
from smsbus.contracts import ConsentEvidence, ConsentSource, ConsentType
from smsbus.runtime.api_types import StoredInstant, StrictBody

_Strict = StrictBody


class ClassifyRequest(_Strict):
    text: str = Field(min_length=1, max_length=1600)


class ClassifyResponse(BaseModel):
    intent: Intent
    matched: str | None
    language: str | None
    classifier_version: str


class LedgerEntryOut(BaseModel):
    entry_id: str
    action: Literal["granted", "revoked"]
    scope: str
    consent_type: ConsentType | None
    source: ConsentSource
    actor: str
    evidence: ConsentEvidence
    classifier_version: str | None
    received_at: datetime
    recorded_at: datetime
    ingested_at: datetime | None


class PurposeConsentOut(BaseModel):
    status: ConsentStatus
    express: bool
    """An express grant after the purpose's last revocation (what marketing needs)."""


class ConsentResponse(BaseModel):
    phone: str
    """E.164."""
    status: ConsentStatus
    """The strictest purpose's: opted out of any purpose is `opted_out`."""
    suppressed: bool
    """Revoked for every purpose."""
    purposes: dict[str, PurposeConsentOut]
    """`marketing` and `transactional`, as the revocation scope in force reads the ledger."""
    history: list[LedgerEntryOut]
    """Oldest first, in ledger order."""


class OutboundOut(BaseModel):
    """One text the egress was asked for, and what became of it (the audit record)."""

    id: str
    """The request id."""
    purpose: str
    requester: str
    phone: str
    line: str
    text: str
    status: str
    """pending, held, sending (outcome unknown, looked up before any resend), sent, refused,
    deferred, failed."""
    reason: str | None
    """Why it was refused, deferred, failed or is held."""
    consent: str | None
    """The consent state the gate checked when it was sent (`opted_in+express`, `unknown`…)."""
    campaign_id: str | None
    member_id: str | None
    trigger_message_id: str | None
    requested_at: datetime
    checked_at: datetime | None
    sent_at: datetime | None
    message_id: str | None
    """OpenPhone's message id once sent."""
    recovered: bool
    """Found at OpenPhone after an unknown outcome (not sent twice)."""
    attempts: int
    last_error: str | None
    finished_at: datetime | None


class OutboundList(BaseModel):
    phone: str
    texts: list[OutboundOut]
    """Newest first."""


class ConsentExport(ConsentResponse):
    """Everything an audit needs about one number, as one JSON document."""

    exported_at: datetime
    suppressed_at: datetime | None
    replies: list[OutboundOut]
    """compliance's own texts to the number (confirmations, HELP replies), oldest first."""
    current_classifier_version: str


class RecordConsentRequest(_Strict):
    phone: str = Field(min_length=1, max_length=40)
    source: Annotated[ConsentSource, WithJsonSchema({"type": "string", "enum": list(SOURCES)})]
    """sms, web, import, api or manual; a synonym (`website_signup`, `csv`, `in_person`…) is read
    as ours and kept in the entry's details as `source_as_given`."""
    actor: str | None = Field(default=None, min_length=1, max_length=200)
    """Who the caller says records it (`jane@example.com`); kept in the entry's details as
    `claimed_actor`: the ledger's actor is the name of the token that made the call."""
    scope: Scope = "all"
    """What it covers: every purpose, or `marketing` / `transactional` alone. Under the
    revocation scope `all` a revocation is recorded as `all` whatever is asked."""
    action: Literal["granted", "revoked"] = "granted"
    consent_type: Annotated[
        ConsentType, WithJsonSchema({"type": "string", "enum": list(CONSENT_TYPES)})
    ] = "express"
    """express or implied; `explicit`, `written` and `implicit` are read as ours."""
    details: dict[str, str] = {}
    """Proof: form id, IP, signed document reference…"""
    received_at: StoredInstant | None = None
    """When the person gave it; defaults to now."""

    @model_validator(mode="before")
    @classmethod
    def _read_other_systems_words(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        read = dict(data)
        if isinstance(kind := data.get("consent_type"), str):
            read["consent_type"] = our_consent_type(kind)
        source, details = data.get("source"), data.get("details", {})
        if isinstance(source, str) and (ours := our_source(source)) != source:
            read["source"] = ours
            if isinstance(details, dict):
                read["details"] = details | {"source_as_given": source}
        return read


class RecordConsentResponse(BaseModel):
    phone: str
    status: ConsentStatus
    purposes: dict[str, PurposeConsentOut]
    entry: LedgerEntryOut


class EligibilityRequest(_Strict):
    phones: list[str] = Field(min_length=1, max_length=1000)
    purpose: Purpose


class EligibilityResult(BaseModel):
    input: str
    phone: str | None
    """E.164, or None when the input is not a phone number."""
    may_send: bool
    reasons: list[Reason]
    line_type: LineType | None
    dnc_lists: list[str]


class EligibilityResponse(BaseModel):
    purpose: Purpose
    checked_at: datetime
    results: list[EligibilityResult]


class DncListing(BaseModel):
    list_name: str
    version: int
    imported_at: datetime


class InternalDnc(BaseModel):
    reason: str
    actor: str
    added_at: datetime


class DncResponse(BaseModel):
    phone: str
    listed: bool
    lists: list[DncListing]
    internal: InternalDnc | None


class InternalDncRequest(_Strict):
    reason: str = Field(min_length=1, max_length=500)
    actor: str | None = Field(default=None, min_length=1, max_length=200)
    """Ignored as the actor: the entry records the calling token's name."""


class DncImportJob(BaseModel):
    """A DNC import, queued → running → succeeded | failed. While it runs, `records`,
    `invalid_lines` and `percent` (of the file's bytes read) grow; at 100 % the numbers are
    being merged. The version and what it changed come with `succeeded`; `error` with
    `failed` (nothing changed)."""

    id: int
    status: Literal["queued", "running", "succeeded", "failed"]
    list_name: str
    format: str
    filename: str | None
    records: int
    invalid_lines: int
    invalid_examples: list[str]
    file_bytes: int
    bytes_read: int
    percent: float
    version: int | None
    added: int | None
    removed: int | None
    total: int | None
    area_codes: list[str]
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RefusedRowOut(BaseModel):
    line: int
    """The file's line (the header is line 1)."""
    reason: str
    """`invalid_phone`, `invalid_consent`, `missing_consent_source`, `missing_consent_at`,
    `invalid_consent_at`, `future_consent_at`, `missing_consent_text`, `too_long`,
    `malformed_row`, `duplicate` (of an earlier line), `opted_out` (kept opted out)."""
    detail: str
    phone: str | None
    """As written in the file."""
    ref: str | None


class ConsentImportJob(BaseModel):
    """A consent import, queued → running → succeeded | failed. While it runs the counts grow
    as its chunks commit (what they show is recorded); `percent` is half reading, half
    applying. `failed` with `error`: a bad file records nothing; an interrupted import keeps
    what its counts show."""

    id: int
    status: Literal["queued", "running", "succeeded", "failed"]
    filename: str | None
    scope: str
    actor: str
    """The token's name: the actor of every entry it appended."""
    file_bytes: int
    bytes_read: int
    rows_read: int
    numbers: int
    """Distinct numbers to apply (once the file is read)."""
    applied: int
    percent: float
    granted: int
    revoked: int
    no_consent: int
    """Rows saying `none`: nothing recorded."""
    kept_opted_out: int
    """Grants for numbers already opted out: refused, they stay opted out."""
    refused: int
    refused_by_reason: dict[str, int]
    refused_rows: list[RefusedRowOut]
    """The first 100 refused rows by line."""
    summary: str
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def entry_out(entry: Any) -> LedgerEntryOut:
    return LedgerEntryOut.model_validate(entry, from_attributes=True)


def purposes_out(view: ConsentView) -> dict[str, PurposeConsentOut]:
    return {
        purpose: PurposeConsentOut(status=consent.status, express=consent.express)
        for purpose, consent in view.purposes.items()
    }
