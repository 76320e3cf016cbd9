"""health-monitor's tables (schema `health`); never used as event payloads or API bodies.

The runtime's inbox (`processed_events`) and outbox (`outbox`) live in the same schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Float, Identity, Index, Integer, String, Text
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from smsbus.runtime.inbox import ProcessedEvent
from smsbus.runtime.outbox import OutboxMessage

__all__ = ["AlertRow", "CheckRow", "OutboxMessage", "ProcessedEvent"]


def _ts(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class CheckRow(SQLModel, table=True):
    """One canary check: its send request, what the egress answered, and how it ended."""

    __tablename__ = "checks"
    __table_args__ = (
        # At most one pending check, whoever starts it (the schedule, the API, a replica).
        Index(
            "checks_one_pending_idx",
            sql("(true)"),
            unique=True,
            postgresql_where=sql("state IN ('sending', 'sent')"),
        ),
        Index("checks_created_idx", "created_at"),
        Index(
            "checks_finished_idx",
            "finished_at",
            postgresql_where=sql("state IN ('passed', 'failed')"),
        ),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    trigger: str = Field(sa_column=Column(String(10), nullable=False))
    """`schedule` or `api`."""
    line: str = Field(sa_column=Column(String(64), nullable=False))
    to: str = Field(sa_column=Column(String(20), nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(sa_column=Column(String(10), nullable=False))
    """sending → sent → passed | failed."""
    created_at: datetime | None = _ts()
    deadline_at: datetime | None = _ts()
    started_at: datetime | None = _ts(nullable=True)
    """When the send was requested (null only on rows from before the egress)."""
    message_id: str | None = Field(default=None, sa_column=Column(String(64)))
    line_number: str | None = Field(default=None, sa_column=Column(String(20)))
    finished_at: datetime | None = _ts(nullable=True)
    stage: str | None = Field(default=None, sa_column=Column(String(10)))
    reason: str | None = Field(default=None, sa_column=Column(Text))
    event_type: str | None = Field(default=None, sa_column=Column(String(40)))
    round_trip_seconds: float | None = Field(default=None, sa_column=Column(Float))


class AlertRow(SQLModel, table=True):
    """An alert to deliver, and what became of its delivery: the canary's (decided on a status
    transition) or a Prometheus rule's (forwarded from Alertmanager)."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("alerts_due_idx", "next_attempt_at", postgresql_where=sql("status = 'pending'")),
        # Alertmanager sends an alert again with every change to its group and on retries.
        Index(
            "alerts_dedupe_key_idx",
            "dedupe_key",
            unique=True,
            postgresql_where=sql("dedupe_key IS NOT NULL"),
        ),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    kind: str = Field(sa_column=Column(String(10), nullable=False))
    """`alert` or `recovered`."""
    source: str = Field(
        default="canary",
        sa_column=Column(String(12), nullable=False, server_default="canary"),
    )
    """`canary` or `prometheus`."""
    check_id: str | None = Field(default=None, sa_column=Column(String(36)))
    """The canary check that changed the status (null for a rule's alert)."""
    dedupe_key: str | None = Field(default=None, sa_column=Column(String(160)))
    """A rule alert's fingerprint, status and start: each is forwarded once."""
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    status: str = Field(sa_column=Column(String(10), nullable=False))
    """pending → delivered | failed; `skipped` when no alert webhook is configured."""
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    created_at: datetime | None = _ts()
    next_attempt_at: datetime | None = _ts()
    delivered_at: datetime | None = _ts(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
