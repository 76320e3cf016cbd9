"""compliance's tables (schema `compliance`); never used as event payloads or API bodies.

The runtime's inbox (`processed_events`) and outbox (`outbox`) live in the same schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
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
    "ConsentLedgerRow",
    "DncListRow",
    "DncNumberRow",
    "HelpReplyRow",
    "InternalDncRow",
    "LookupUsageRow",
    "OutboxMessage",
    "PhoneLookupRow",
    "ProcessedEvent",
    "ReplyIntentRow",
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


class ReplyIntentRow(SQLModel, table=True):
    """A text we decided to send (a confirmation, a HELP reply) and what became of it."""

    __tablename__ = "reply_intents"
    __table_args__ = (
        Index(
            "reply_intents_due_idx",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        Index("reply_intents_phone_idx", "phone", "created_at"),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    kind: str = Field(sa_column=Column(String(30), nullable=False))
    phone: str = Field(sa_column=Column(String(20), nullable=False))
    line: str = Field(sa_column=Column(String(64), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    """pending → sending → sent | failed | cancelled."""
    trigger_message_id: str | None = Field(default=None, sa_column=Column(String(64)))
    created_at: datetime | None = _ts()
    next_attempt_at: datetime | None = _ts()
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    send_started_at: datetime | None = _ts(nullable=True)
    """Just before the last POST: a message found at OpenPhone after it is ours."""
    sent_at: datetime | None = _ts(nullable=True)
    openphone_message_id: str | None = Field(default=None, sa_column=Column(String(64)))
    last_error: str | None = Field(default=None, sa_column=Column(Text))


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
