"""reconciler's tables (schema `reconciler`); never used as event payloads or API bodies.

The runtime's outbox (`outbox`) lives in the same schema; `seen_events` is the reconciler's
own inbox (one row per dedupe key, whoever produced it), so it needs no `processed_events`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from smsbus.runtime.outbox import OutboxMessage

__all__ = ["OutboxMessage", "RunRow", "SeenEventRow", "WatermarkRow"]

RUN_STATUSES = ("running", "succeeded", "failed", "deferred")


def _ts(*, nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class SeenEventRow(SQLModel, table=True):
    """A fact known to be on the topics: from a webhook (ingest) or a synthetic copy."""

    __tablename__ = "seen_events"
    __table_args__ = (
        Index("seen_events_object_idx", "object_id"),
        Index("seen_events_occurred_idx", "occurred_at"),
    )

    dedupe_key: str = Field(sa_column=Column(String(500), primary_key=True))
    event_type: str = Field(sa_column=Column(String(200), nullable=False))
    object_id: str = Field(sa_column=Column(String(300), nullable=False))
    source: str = Field(sa_column=Column(String(100), nullable=False))
    event_id: str = Field(sa_column=Column(String(200), nullable=False))
    occurred_at: datetime = _ts()
    first_seen_at: datetime = _ts()


class RunRow(SQLModel, table=True):
    """One reconciliation run; the watermark is the latest succeeded run's `window_end`."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'deferred')", name="runs_status"
        ),
        Index("runs_started_idx", "started_at"),
        Index("runs_succeeded_idx", "window_end", postgresql_where=text("status = 'succeeded'")),
    )

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    trigger: str = Field(sa_column=Column(String(20), nullable=False))
    status: str = Field(sa_column=Column(String(10), nullable=False))
    started_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    window_start: datetime = _ts()
    window_end: datetime = _ts()
    lines_checked: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    conversations_checked: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    messages_checked: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    calls_checked: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    missing: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    """Synthetic events emitted by this run, by event type."""
    consumer_lag: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    """Records our consumer was behind when the run was deferred."""
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class WatermarkRow(SQLModel, table=True):
    """Where a pass that walks OpenPhone by time resumes (the fast pass: `updatedAfter`)."""

    __tablename__ = "watermarks"

    name: str = Field(sa_column=Column(String(50), primary_key=True))
    position: datetime = _ts()
    updated_at: datetime = _ts()
