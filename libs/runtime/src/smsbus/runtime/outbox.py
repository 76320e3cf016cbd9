"""The transactional outbox: an event is emitted if and only if its transaction commits.

`add_to_outbox(session, envelope)` queues the routed, encoded record on the session; when the
session's transaction commits, everything it queued is written in one multi-row insert with
one NOTIFY, inside that transaction (a batch of a thousand events costs two statements, not two
thousand). A rollback drops the queue. `OutboxRelay.run()` publishes pending rows in order
(acks=all) and marks them published; see relay.py.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    String,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.contracts import Envelope
from smsbus.runtime.kafka import outgoing

NOTIFY_CHANNEL: Final = "smsbus_outbox"


class OutboxMessage(SQLModel, table=True):
    """An event waiting to be (or already) published, in the service's schema."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("outbox_pending_idx", "id", postgresql_where=text("published_at IS NULL")),
    )

    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    event_id: str = Field(sa_column=Column(String(200), nullable=False))
    event_type: str = Field(sa_column=Column(String(200), nullable=False))
    topic: str = Field(sa_column=Column(String(249), nullable=False))
    key: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    value: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


_QUEUED: Final = "smsbus.outbox.queued"
# The rows and the NOTIFY in one round trip: arrays in, unnest in order (identity ids follow it).
_WRITE: Final = text(
    "WITH written AS (INSERT INTO outbox (event_id, event_type, topic, key, value, headers) "
    "SELECT e, t, p, k, v, h FROM unnest(CAST(:event_ids AS text[]), CAST(:event_types AS text[]), "
    "CAST(:topics AS text[]), CAST(:keys AS bytea[]), CAST(:vals AS bytea[]), "
    "CAST(:headers AS jsonb[])) WITH ORDINALITY AS queued(e, t, p, k, v, h, place) "
    "ORDER BY place RETURNING 1) "
    "SELECT count(*), pg_notify(:channel, current_schema()) FROM written"
)


async def add_to_outbox(
    session: AsyncSession,
    envelope: Envelope[Any],
    *,
    topic: str | None = None,
    key: str | bytes | None = None,
) -> None:
    """Queues the event in the caller's transaction; it is published only if that commits."""
    record = outgoing(envelope, topic=topic, key=key)
    session.info.setdefault(_QUEUED, []).append(
        (str(envelope.event_id), envelope.type, record.topic, record.key, record.value,
         json.dumps(record.headers))
    )  # fmt: skip


@event.listens_for(Session, "before_commit")
def _write_queued(session: Session) -> None:
    # Runs inside the async session's commit (SQLAlchemy's greenlet), still in the transaction.
    rows = session.info.pop(_QUEUED, None)
    if rows:
        columns = list(zip(*rows, strict=True))
        names = ("event_ids", "event_types", "topics", "keys", "vals", "headers")
        params = dict(zip(names, map(list, columns), strict=True))
        session.connection().execute(_WRITE, params | {"channel": NOTIFY_CHANNEL})


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_QUEUED, None)
