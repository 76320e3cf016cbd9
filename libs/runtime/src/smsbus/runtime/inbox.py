"""The inbox: effectively-once effects on top of at-least-once delivery.

Call `mark_processed` in the same transaction as the handler's changes; when it returns
False the event was already handled by this consumer and the handler does nothing:

    async with sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer="compliance", envelope=event):
            return
        ...  # the effects, committed together with the inbox row
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, String, func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.contracts import Envelope


class ProcessedEvent(SQLModel, table=True):
    """One row per (consumer, dedupe_key) that has been handled, in the service's schema."""

    __tablename__ = "processed_events"

    consumer: str = Field(sa_column=Column(String(200), primary_key=True))
    dedupe_key: str = Field(sa_column=Column(String(500), primary_key=True))
    event_id: str = Field(sa_column=Column(String(200), nullable=False))
    processed_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def mark_processed(
    *,
    session: AsyncSession,
    consumer: str,
    envelope: Envelope[Any] | None = None,
    dedupe_key: str | None = None,
    event_id: str | None = None,
) -> bool:
    """Inserts the inbox row unless present; True when this event is new for `consumer`."""
    key = dedupe_key if dedupe_key is not None else (envelope.dedupe_key if envelope else None)
    ident = event_id if event_id is not None else (str(envelope.event_id) if envelope else None)
    if key is None or ident is None:
        raise ValueError("mark_processed needs an envelope or dedupe_key and event_id")
    table = ProcessedEvent.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(consumer=consumer, dedupe_key=key, event_id=ident)
        .on_conflict_do_nothing(index_elements=["consumer", "dedupe_key"])
        .returning(table.c.consumer)
    )
    result = await session.exec(statement)
    return result.first() is not None
