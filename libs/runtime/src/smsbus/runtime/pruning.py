"""Keeps the runtime's tables from growing forever: old inbox rows and published outbox rows go.

An inbox row (`processed_events`) is what turns a redelivered event into a no-op, so it is kept
as long as that event can come back: longer than the longest topic retention (dead letters: 30
days) that a replay reads from. A published outbox row is history once the broker acknowledged
it (the topic holds the event); it is kept a while for an operator's look, then deleted. A
service adds tables of its own that would grow forever (`Aged`: its statement, under its store/).

Ages are the database's (`now()`), the clock that stamped the rows. Rows go in batches, each its
own short transaction, with SKIP LOCKED: replicas pruning at once never wait for each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.loops import repeat
from smsbus.runtime.metrics import Metrics

_OLD_INBOX_ROWS: Final = text(
    "DELETE FROM processed_events WHERE (consumer, dedupe_key) IN ("
    "SELECT consumer, dedupe_key FROM processed_events "
    "WHERE processed_at < now() - make_interval(secs => :keep_seconds) "
    "LIMIT :limit FOR UPDATE SKIP LOCKED)"
)
# Published rows are the oldest ids (the relay publishes in id order): the primary key finds them.
_PUBLISHED_OUTBOX_ROWS: Final = text(
    "DELETE FROM outbox WHERE id IN ("
    "SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => :keep_seconds) "
    "ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)"
)


@dataclass(frozen=True)
class Aged:
    """A table whose rows go once older than `keep`: `delete` removes a batch of them (its
    parameters: `:keep_seconds`, `:limit`), oldest or not, with SKIP LOCKED."""

    table: str
    delete: TextClause
    keep: timedelta


@dataclass(frozen=True)
class Retention:
    """How long each table's rows are kept, and how many rows one statement deletes."""

    inbox: timedelta
    outbox: timedelta
    batch: int = 5_000
    more: tuple[Aged, ...] = ()
    """The service's own tables."""

    def tables(self) -> tuple[Aged, ...]:
        return (
            Aged("processed_events", _OLD_INBOX_ROWS, self.inbox),
            Aged("outbox", _PUBLISHED_OUTBOX_ROWS, self.outbox),
            *self.more,
        )


async def prune_once(
    engine: AsyncEngine, retention: Retention, metrics: Metrics | None = None
) -> dict[str, int]:
    """One batch from each table; the rows deleted, by table."""
    deleted = {
        aged.table: await _delete(engine, aged.delete, aged.keep, retention.batch)
        for aged in retention.tables()
    }
    if metrics:
        for table, rows in deleted.items():
            metrics.rows_pruned.labels(table=table).inc(rows)
    return deleted


async def prune_forever(
    engine: AsyncEngine, retention: Retention, *, interval: float, metrics: Metrics | None = None
) -> None:
    """Prunes until cancelled: batch after batch while there is a backlog, then every
    `interval` seconds."""

    async def one_pass() -> bool:
        deleted = await prune_once(engine, retention, metrics)
        return max(deleted.values()) >= retention.batch

    await repeat(one_pass, name="pruning old rows", interval=interval)


async def _delete(engine: AsyncEngine, statement: TextClause, keep: timedelta, limit: int) -> int:
    async with engine.begin() as conn:
        result = await conn.execute(
            statement, {"keep_seconds": keep.total_seconds(), "limit": limit}
        )
    return int(result.rowcount)
