"""campaign-engine's tables, in schema "campaigns" (never used as event payloads)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

import smsbus.runtime.inbox
import smsbus.runtime.outbox  # noqa: F401  (their tables live in our schema too)

_JSON = JSON().with_variant(JSONB(), "postgresql")


def _ts(nullable: bool = True, **kwargs: Any) -> Any:
    return Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable, **kwargs)
    )


class ContactRow(SQLModel, table=True):
    __tablename__ = "contacts"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    phone: str = Field(sa_column=Column(String(20), nullable=False, unique=True))
    first_name: str | None = Field(default=None, sa_column=Column(Text))
    last_name: str | None = Field(default=None, sa_column=Column(Text))
    company: str | None = Field(default=None, sa_column=Column(Text))
    email: str | None = Field(default=None, sa_column=Column(Text))
    state: str | None = Field(default=None, sa_column=Column(String(2)))
    """The state of a known address (its rules apply besides the area code's)."""
    city: str | None = Field(default=None, sa_column=Column(Text))
    zip: str | None = Field(default=None, sa_column=Column(String(10)))
    fields: dict[str, Any] = Field(default_factory=dict, sa_column=Column(_JSON, nullable=False))
    openphone_id: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    office_number: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    do_not_contact: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    recently_texted_until: datetime | None = _ts()
    deleted: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    created_at: datetime | None = _ts(nullable=False, server_default=func.now())
    updated_at: datetime | None = _ts()


class ListRow(SQLModel, table=True):
    __tablename__ = "lists"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    """static | dynamic"""
    filter: dict[str, Any] | None = Field(default=None, sa_column=Column(_JSON))
    created_at: datetime | None = _ts(nullable=False, server_default=func.now())


class ListContactRow(SQLModel, table=True):
    __tablename__ = "list_contacts"

    list_id: str = Field(sa_column=Column(String(64), primary_key=True))
    contact_id: str = Field(sa_column=Column(String(64), primary_key=True))


class CampaignRow(SQLModel, table=True):
    __tablename__ = "campaigns"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    line: str = Field(sa_column=Column(String(64), nullable=False))
    purpose: str = Field(sa_column=Column(String(16), nullable=False))
    variants: list[dict[str, Any]] = Field(sa_column=Column(_JSON, nullable=False))
    """[{name, template, weight}] in a fixed order; a variant made from the library also
    names its `template_id` and `template_version`."""
    daily_limit: int | None = Field(default=125, sa_column=Column(Integer))
    line_segment_budget: int | None = Field(default=None, sa_column=Column(Integer))
    timezone: str = Field(sa_column=Column(String(64), nullable=False))
    window_days: list[int] = Field(sa_column=Column(_JSON, nullable=False))
    window_start: str = Field(sa_column=Column(String(5), nullable=False))
    window_end: str = Field(sa_column=Column(String(5), nullable=False))
    min_gap_days: float | None = Field(default=30.0, sa_column=Column(Float))
    min_sample: int = Field(default=100, sa_column=Column(Integer, nullable=False))
    scheduled_at: datetime | None = _ts()
    created_at: datetime | None = _ts(nullable=False, server_default=func.now())
    started_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    pause_reason: str | None = Field(default=None, sa_column=Column(Text))
    """Why the campaign is paused (`manual`, or the egress's deferral reason); None otherwise."""
    paused_at: datetime | None = _ts()
    resumed_at: datetime | None = _ts()
    """The last resume: a deferral the egress decided before it pauses nothing (its cause was
    what the resume says is fixed)."""


class TemplateRow(SQLModel, table=True):
    """A saved template (the library): campaigns copy its body when created, so an edit or an
    archive changes no campaign already made; `version` counts the body's edits."""

    __tablename__ = "templates"
    __table_args__ = (  # one live template per name; an archived one gives its name back
        Index(
            "templates_live_name_key", "name", unique=True,
            postgresql_where=text("archived_at IS NULL"),
        ),
    )  # fmt: skip

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    created_at: datetime | None = _ts(nullable=False, server_default=func.now())
    updated_at: datetime | None = _ts(nullable=False, server_default=func.now())
    archived_at: datetime | None = _ts()


class MemberRow(SQLModel, table=True):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("campaign_id", "phone", name="members_campaign_phone_key"),
        Index(  # the dispatcher's claim order (migration 0004)
            "members_due_idx", "next_attempt_at", "id", postgresql_where=text("status = 'pending'")
        ),
        Index("members_phone_idx", "phone", "intent_at"),
        Index("members_campaign_idx", "campaign_id", "status"),
    )

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    campaign_id: str = Field(sa_column=Column(String(64), nullable=False))
    contact_id: str = Field(sa_column=Column(String(64), nullable=False))
    phone: str = Field(sa_column=Column(String(20), nullable=False))
    variant: str = Field(sa_column=Column(String(40), nullable=False))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    next_attempt_at: datetime | None = _ts()
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    """Send requests made so far; the current one is `<id>:<attempts>` (the egress's dedupe key)."""
    text: str | None = Field(default=None, sa_column=Column(Text))
    segments: int | None = Field(default=None, sa_column=Column(Integer))
    encoding: str | None = Field(default=None, sa_column=Column(String(8)))
    intent_at: datetime | None = _ts()
    """Engine time the send was requested (and counted against the limits)."""
    message_id: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    recovered: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    sent_at: datetime | None = _ts()
    delivered_at: datetime | None = _ts()
    failed_at: datetime | None = _ts()
    responded_at: datetime | None = _ts()
    opted_out_at: datetime | None = _ts()
    reply_message_id: str | None = Field(default=None, sa_column=Column(String(64)))
    reply_text: str | None = Field(default=None, sa_column=Column(Text))
    reply_sentiment: str | None = Field(default=None, sa_column=Column(String(10)))
    created_at: datetime | None = _ts(nullable=False, server_default=func.now())


class CampaignDayRow(SQLModel, table=True):
    __tablename__ = "campaign_days"

    campaign_id: str = Field(sa_column=Column(String(64), primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    used: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class LineDayRow(SQLModel, table=True):
    __tablename__ = "line_days"

    line: str = Field(sa_column=Column(String(64), primary_key=True))
    day: date = Field(sa_column=Column(Date, primary_key=True))
    """UTC day (OpenPhone's A2P cap counts per day)."""
    segments: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    """Segments requested today (the campaigns' `line_segment_budget`); the line's daily cap
    for all campaigns together is counted at the egress."""


class SuppressionRow(SQLModel, table=True):
    """The local copy of compliance.consent.v1: who must not be texted."""

    __tablename__ = "consent_suppressions"

    phone: str = Field(sa_column=Column(String(20), primary_key=True))
    suppressed: bool = Field(sa_column=Column(Boolean, nullable=False))
    changed_at: datetime | None = _ts(nullable=False)
    entry_id: str = Field(sa_column=Column(String(64), nullable=False))


class ParkedStatusRow(SQLModel, table=True):
    """A provider status for a message we have not recorded (yet)."""

    __tablename__ = "parked_statuses"

    message_id: str = Field(sa_column=Column(String(64), primary_key=True))
    status: str = Field(sa_column=Column(String(12), primary_key=True))
    occurred_at: datetime | None = _ts(nullable=False)
    parked_at: datetime | None = _ts(nullable=False, server_default=func.now())


class ContactImportRow(SQLModel, table=True):
    """A CSV import run as a background job (POST /v1/contacts/imports): its state and counts,
    written after each chunk it commits."""

    __tablename__ = "contact_imports"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    status: str = Field(sa_column=Column(String(12), nullable=False))
    """queued | running | succeeded | failed"""
    file_name: str | None = Field(default=None, sa_column=Column(Text))
    file_bytes: int = Field(sa_column=Column(BigInteger, nullable=False))
    bytes_read: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    rows_read: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    imported: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    """Distinct contacts created or updated."""
    created: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    """Of those, the ones that did not exist before."""
    invalid: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    duplicates: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    errors: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(_JSON, nullable=False)
    )
    """The first rejected rows in file order ({line, reason, value}), at most ERRORS_KEPT."""
    mapping: dict[str, str] | None = Field(default=None, sa_column=Column(_JSON))
    list_id: str | None = Field(default=None, sa_column=Column(String(64)))
    """A static list each imported contact is added to."""
    reason: str | None = Field(default=None, sa_column=Column(Text))
    """Why it failed."""
    consent_rows: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    """Rows with consent columns, handed to compliance as a consent import."""
    consent_import_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    """compliance's consent import of those rows."""
    consent: dict[str, Any] | None = Field(default=None, sa_column=Column(_JSON))
    """compliance's view of that import (status, counts, summary), as last asked."""
    check_lines: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=text("false"))
    )
    """Its numbers' line types are checked at compliance once they are in."""
    lines: dict[str, Any] | None = Field(default=None, sa_column=Column(_JSON))
    """That check's outcome (line_check.py)."""
    created_at: datetime | None = _ts(nullable=False, server_default=func.now())
    started_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    heartbeat_at: datetime | None = _ts()
    """Renewed while the process that holds the job lives; a queued or running import whose
    heartbeat stopped was interrupted (a restart, a crash) and is marked failed."""


class ImportContactRow(SQLModel, table=True):
    """Each contact an import created or updated, with the file line it came from."""

    __tablename__ = "import_contacts"

    import_id: str = Field(sa_column=Column(String(64), primary_key=True))
    contact_id: str = Field(sa_column=Column(String(64), primary_key=True))
    line: int = Field(sa_column=Column(Integer, nullable=False))
