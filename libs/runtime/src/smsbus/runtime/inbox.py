"""The inbox: effectively-once effects on top of at-least-once delivery.

The consumer (consumer.py) claims a whole batch's events with `claim_new` in the batch's
transaction and hands only the new ones to the handlers. Code outside a consumer calls
`mark_processed` in the same transaction as the handler's changes; when it returns
False the event was already handled by this consumer and the handler does nothing:

    async with sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer="compliance", envelope=event):
            return
        ...  # the effects, committed together with the inbox row
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Column, DateTime, Index, String, func, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.contracts import Envelope


class ProcessedEvent(SQLModel, table=True):
    """One row per (consumer, dedupe_key) that has been handled, in the service's schema."""

    __tablename__ = "processed_events"
    __table_args__ = (Index("processed_events_age_idx", "processed_at"),)  # for pruning.py

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


_CLAIM: Final = text(
    "INSERT INTO processed_events (consumer, dedupe_key, event_id) "
    "SELECT :consumer, key, event_id "
    "FROM unnest(CAST(:keys AS text[]), CAST(:event_ids AS text[])) AS claimed(key, event_id) "
    "ON CONFLICT (consumer, dedupe_key) DO NOTHING RETURNING dedupe_key"
)


async def claim_new(
    *, session: AsyncSession, consumer: str, envelopes: Sequence[Envelope[Any]]
) -> set[str]:
    """Inserts the inbox rows of a batch in one statement; returns the dedupe keys that were new
    for `consumer` (a key twice in the batch is claimed once)."""
    if not envelopes:
        return set()
    keys: dict[str, str] = {}
    for envelope in envelopes:
        keys.setdefault(envelope.dedupe_key, str(envelope.event_id))
    connection = await session.connection()
    result = await connection.execute(
        _CLAIM,
        {"consumer": consumer, "keys": list(keys), "event_ids": list(keys.values())},
    )
    return set(result.scalars())
