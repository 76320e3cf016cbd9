"""compliance's tables (schema `compliance`); never used as event payloads or API bodies.

The runtime's inbox (`processed_events`) and outbox (`outbox`) live in the same schema.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from smsbus.runtime.inbox import ProcessedEvent
from smsbus.runtime.outbox import OutboxMessage

__all__ = [
    "ConsentImportJobRow",
    "ConsentImportRow",
    "ConsentLedgerRow",
    "DncImportJobRow",
    "DncListRow",
    "DncNumberRow",
    "EgressLineDayRow",
    "HelpReplyRow",
    "InternalDncRow",
    "LookupUsageRow",
    "OutboundMessageRow",
    "OutboxMessage",
    "PhoneLookupRow",
    "ProcessedEvent",
    "SuppressionRow",
]


def _ts(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class ConsentLedgerRow(SQLModel, table=True):
    """Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE); `id` is the ledger order."""

    __tablename__ = "consent_ledger"
    __table_args__ = (Index("consent_ledger_phone_idx", "phone", "id"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    entry_id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    phone: str = Field(sa_column=Column(String(20), nullable=False))
    action: str = Field(sa_column=Column(String(10), nullable=False))
    scope: str = Field(sa_column=Column(String(100), nullable=False))
    consent_type: str | None = Field(default=None, sa_column=Column(String(10)))
    source: str = Field(sa_column=Column(String(10), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    evidence: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    classifier_version: str | None = Field(default=None, sa_column=Column(String(50)))
    received_at: datetime | None = _ts()
    recorded_at: datetime | None = _ts()
    ingested_at: datetime | None = _ts(nullable=True)
    dedupe_key: str | None = Field(default=None, sa_column=Column(String(500)))


class SuppressionRow(SQLModel, table=True):
    """Numbers that must get nothing (one confirmation aside); a projection of the ledger."""

    __tablename__ = "suppressions"

    phone: str = Field(sa_column=Column(String(20), primary_key=True))
    entry_id: str = Field(sa_column=Column(String(36), nullable=False))
    suppressed_at: datetime | None = _ts()


class OutboundMessageRow(SQLModel, table=True):
    """Every text the egress was asked to send, and what became of it: the audit record of
    what left (recipient, line, purpose, requester, the consent state checked, message id)."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index(
            "outbound_messages_due_idx",
            "priority",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'held', 'sending')"),
        ),
        Index("outbound_messages_phone_idx", "phone", "requested_at"),
    )

    id: str = Field(sa_column=Column(String(200), primary_key=True))
    """The request id (the requester's dedupe key)."""
    purpose: str = Field(sa_column=Column(String(30), nullable=False))
    priority: int = Field(sa_column=Column(SmallInteger, nullable=False))
    """0 first: confirmations, HELP, the canary, transactional, marketing."""
    requester: str = Field(sa_column=Column(String(60), nullable=False))
    phone: str = Field(sa_column=Column(String(20), nullable=False))
    line: str = Field(sa_column=Column(String(64), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    campaign_id: str | None = Field(default=None, sa_column=Column(String(64)))
    member_id: str | None = Field(default=None, sa_column=Column(String(64)))
    send_window: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    """Marketing: the requester's window (days, start, end) in the recipient's local time."""
    recipient_state: str | None = Field(default=None, sa_column=Column(String(2)))
    trigger_message_id: str | None = Field(default=None, sa_column=Column(String(64)))
    """compliance's own replies: the inbound message answered."""
    status: str = Field(sa_column=Column(String(12), nullable=False))
    """pending | held → sending → sent; or refused | deferred | failed."""
    requested_at: datetime | None = _ts()
    expires_at: datetime | None = _ts(nullable=True)
    next_attempt_at: datetime | None = _ts()
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    """POSTs made."""
    send_started_at: datetime | None = _ts(nullable=True)
    """Just before the last POST: a message found at OpenPhone after it is this one."""
    checked_at: datetime | None = _ts(nullable=True)
    consent: str | None = Field(default=None, sa_column=Column(String(40)))
    """The consent state the gate checked the last POST against."""
    message_id: str | None = Field(default=None, sa_column=Column(String(64)))
    sent_at: datetime | None = _ts(nullable=True)
    recovered: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    """Why it was refused, deferred, failed or is held."""
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    finished_at: datetime | None = _ts(nullable=True)


class EgressLineDayRow(SQLModel, table=True):
    """Texts the egress sent per line per UTC day: the line's daily cap, shared by every
    campaign on the line (OpenPhone's A2P caps count per line)."""

    __tablename__ = "egress_line_days"

    line: str = Field(sa_column=Column(String(64), primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    sent: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class HelpReplyRow(SQLModel, table=True):
    __tablename__ = "help_replies"
    __table_args__ = (Index("help_replies_phone_idx", "phone", "replied_at"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    phone: str = Field(sa_column=Column(String(20), nullable=False))
    intent_id: str = Field(sa_column=Column(String(36), nullable=False))
    replied_at: datetime | None = _ts()


class DncListRow(SQLModel, table=True):
    """One import: a version of a named list, with what it changed."""

    __tablename__ = "dnc_lists"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    name: str = Field(sa_column=Column(String(100), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    format: str = Field(sa_column=Column(String(20), nullable=False))
    filename: str | None = Field(default=None, sa_column=Column(String(300)))
    imported_at: datetime | None = _ts()
    records: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    added: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    removed: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    area_codes: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))


class DncImportJobRow(SQLModel, table=True):
    """One DNC upload imported in the background: its progress while it runs, then the version
    it made (succeeded) or why it changed nothing (failed)."""

    __tablename__ = "dnc_import_jobs"

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    list_name: str = Field(sa_column=Column(String(100), nullable=False))
    format: str = Field(sa_column=Column(String(20), nullable=False))
    filename: str | None = Field(default=None, sa_column=Column(String(300)))
    status: str = Field(sa_column=Column(String(10), nullable=False))
    """queued → running → succeeded | failed."""
    runner: str | None = Field(default=None, sa_column=Column(String(32)))
    """The process that runs it: a process starting up fails only other processes' jobs."""
    file_bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    bytes_read: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    records: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    invalid_lines: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    invalid_examples: list[str] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    version: int | None = Field(default=None, sa_column=Column(Integer))
    """The list's version it made (`dnc_lists`), once succeeded."""
    added: int | None = Field(default=None, sa_column=Column(BigInteger))
    removed: int | None = Field(default=None, sa_column=Column(BigInteger))
    total: int | None = Field(default=None, sa_column=Column(BigInteger))
    area_codes: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime | None = _ts()
    started_at: datetime | None = _ts(nullable=True)
    finished_at: datetime | None = _ts(nullable=True)


class DncNumberRow(SQLModel, table=True):
    """The numbers currently on each list (bulk-loaded with COPY)."""

    __tablename__ = "dnc_numbers"

    phone: str = Field(sa_column=Column(String(20), primary_key=True))
    list_name: str = Field(sa_column=Column(String(100), primary_key=True))
    list_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    """The import that last added it."""


class InternalDncRow(SQLModel, table=True):
    """Our own do-not-contact list, managed through the API."""

    __tablename__ = "internal_dnc"

    phone: str = Field(sa_column=Column(String(20), primary_key=True))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    added_at: datetime | None = _ts()


class ConsentImportJobRow(SQLModel, table=True):
    """One consent file imported in the background: read (rows staged), then applied a chunk of
    numbers per transaction; the counts are what is committed."""

    __tablename__ = "consent_import_jobs"

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    status: str = Field(sa_column=Column(String(10), nullable=False))
    """queued → running → succeeded | failed."""
    runner: str | None = Field(default=None, sa_column=Column(String(32)))
    filename: str | None = Field(default=None, sa_column=Column(String(300)))
    scope: str = Field(sa_column=Column(String(20), nullable=False))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    """The calling token's name: the actor of every entry it appends."""
    file_bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    bytes_read: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    rows_read: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    numbers: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    """Distinct numbers staged, once the file was read: what the apply phase works through."""
    applied: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    granted: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    revoked: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    no_consent: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    kept_opted_out: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    refused: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    refused_by_reason: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False)
    )
    refused_rows: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    """The first refused rows by line: line, reason, detail, phone (as written), ref."""
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime | None = _ts()
    started_at: datetime | None = _ts(nullable=True)
    finished_at: datetime | None = _ts(nullable=True)


class ConsentImportRow(SQLModel, table=True):
    """A consent import's accepted rows between reading and applying (UNLOGGED: staging that
    an import re-reads from its file, never evidence; deleted when the import ends)."""

    __tablename__ = "consent_import_rows"
    __table_args__ = (Index("consent_import_rows_phone_idx", "job_id", "phone", "line"),)

    job_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    line: int = Field(sa_column=Column(Integer, primary_key=True))
    phone: str = Field(sa_column=Column(String(20), nullable=False))
    consent: str = Field(sa_column=Column(String(10), nullable=False))
    source: str | None = Field(default=None, sa_column=Column(Text))
    consented_at: datetime | None = _ts(nullable=True)
    consent_text: str | None = Field(default=None, sa_column=Column(Text))
    ref: str | None = Field(default=None, sa_column=Column(Text))


class PhoneLookupRow(SQLModel, table=True):
    """Cached line-type lookups (NumVerify-compatible), kept until `expires_at`."""

    __tablename__ = "phone_lookups"

    phone: str = Field(sa_column=Column(String(20), primary_key=True))
    provider: str = Field(sa_column=Column(String(40), nullable=False))
    line_type: str = Field(sa_column=Column(String(20), nullable=False))
    carrier: str | None = Field(default=None, sa_column=Column(String(200)))
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    fetched_at: datetime | None = _ts()
    expires_at: datetime | None = _ts()


class LookupUsageRow(SQLModel, table=True):
    """Paid lookups made per calendar month (UTC), against the monthly quota."""

    __tablename__ = "lookup_usage"

    month: str = Field(sa_column=Column(String(7), primary_key=True))
    requests: int = Field(default=0, sa_column=Column(Integer, nullable=False))
