"""`seen_events`: every fact known to be on the topics, whoever put it there, until it is older
than the reconciler's memory (`forgotten`, pruned by the runtime's pruning loop)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.contracts import Envelope
from smsbus.reconciler.domain.facts import Fact
from smsbus.reconciler.domain.synthetic import SOURCE, synthetic_event_id
from smsbus.reconciler.models import SeenEventRow
from smsbus.runtime.db import execute
from smsbus.runtime.pruning import Aged
from smsbus.runtime.tables import table

T = TypeVar("T")

_TABLE = table(SeenEventRow)

# asyncpg takes at most 32,767 parameters per statement; a window can hold far more facts.
_ROWS_PER_INSERT = 1_000  # 7 parameters each
_KEYS_PER_SELECT = 10_000

# By the fact's own time, as windows are: a run never starts before the memory (windows.py).
_FORGOTTEN = text(
    "DELETE FROM seen_events WHERE dedupe_key IN ("
    "SELECT dedupe_key FROM seen_events "
    "WHERE occurred_at < now() - make_interval(secs => :keep_seconds) "
    "LIMIT :limit FOR UPDATE SKIP LOCKED)"
)


def forgotten(memory: timedelta) -> Aged:
    """Seen facts that happened longer than `memory` ago, for the runtime's pruning loop."""
    return Aged("seen_events", _FORGOTTEN, memory)


async def record_seen(
    *, session: AsyncSession, envelopes: Sequence[Envelope[Any]], seen_at: datetime
) -> int:
    """Records events taken off a topic; answers how many facts were new."""
    rows = []
    for envelope in envelopes:
        _, _, object_id = envelope.dedupe_key.partition(":")
        rows.append(
            {
                "dedupe_key": envelope.dedupe_key,
                "event_type": envelope.type,
                "object_id": object_id,
                "source": envelope.source,
                "event_id": str(envelope.event_id),
                "occurred_at": envelope.occurred_at,
                "first_seen_at": seen_at,
            }
        )
    return sum(
        [
            len(await _insert(session=session, rows=chunk))
            for chunk in _chunks(rows, _ROWS_PER_INSERT)
        ]
    )


async def claim_missing(
    *, session: AsyncSession, facts: Sequence[Fact], seen_at: datetime
) -> set[str]:
    """Records missing facts as seen (source reconciler) and answers the keys this call
    inserted: a fact whose webhook landed meanwhile is not claimed, so it is not emitted."""
    rows = [
        {
            "dedupe_key": fact.dedupe_key,
            "event_type": fact.event_type,
            "object_id": fact.object_id,
            "source": SOURCE,
            "event_id": synthetic_event_id(fact.dedupe_key),
            "occurred_at": fact.occurred_at,
            "first_seen_at": seen_at,
        }
        for fact in facts
    ]
    claimed: set[str] = set()
    for chunk in _chunks(rows, _ROWS_PER_INSERT):
        claimed.update(await _insert(session=session, rows=chunk))
    return claimed


async def seen_keys(*, session: AsyncSession, keys: Iterable[str]) -> set[str]:
    """Which of `keys` are known."""
    known: set[str] = set()
    for chunk in _chunks(sorted(set(keys)), _KEYS_PER_SELECT):
        statement = select(_TABLE.c.dedupe_key).where(_TABLE.c.dedupe_key.in_(chunk))
        known.update((await execute(session, statement)).scalars())
    return known


async def seen_objects(
    *, session: AsyncSession, object_ids: Iterable[str], event_types: Iterable[str]
) -> set[str]:
    """Which of `object_ids` have an event of one of `event_types` on the topics."""
    known: set[str] = set()
    types = sorted(set(event_types))
    for chunk in _chunks(sorted(set(object_ids)), _KEYS_PER_SELECT):
        statement = select(_TABLE.c.object_id).where(
            _TABLE.c.object_id.in_(chunk), _TABLE.c.event_type.in_(types)
        )
        known.update((await execute(session, statement)).scalars())
    return known


async def get_seen(*, session: AsyncSession, dedupe_key: str) -> SeenEventRow | None:
    statement = select(_TABLE).where(_TABLE.c.dedupe_key == dedupe_key)
    row = (await execute(session, statement)).mappings().first()
    return None if row is None else SeenEventRow(**row)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _insert(*, session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[str]:
    statement = (
        insert(_TABLE)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_TABLE.c.dedupe_key)
    )
    return list((await execute(session, statement)).scalars())
