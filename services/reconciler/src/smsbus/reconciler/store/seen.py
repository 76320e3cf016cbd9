"""`seen_events`: every fact known to be on the topics, whoever put it there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.contracts import Envelope
from smsbus.reconciler.domain.facts import Fact
from smsbus.reconciler.domain.synthetic import SOURCE, synthetic_event_id
from smsbus.reconciler.models import SeenEventRow

_TABLE = SeenEventRow.__table__  # type: ignore[attr-defined]


async def record_seen(*, session: AsyncSession, envelope: Envelope[Any], seen_at: datetime) -> bool:
    """Records an event taken off a topic; False when its fact was already known."""
    _, _, object_id = envelope.dedupe_key.partition(":")
    return bool(
        await _insert(
            session,
            [
                {
                    "dedupe_key": envelope.dedupe_key,
                    "event_type": envelope.type,
                    "object_id": object_id,
                    "source": envelope.source,
                    "event_id": str(envelope.event_id),
                    "occurred_at": envelope.occurred_at,
                    "first_seen_at": seen_at,
                }
            ],
        )
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
    return set(await _insert(session, rows)) if rows else set()


async def seen_keys(*, session: AsyncSession, keys: Iterable[str]) -> set[str]:
    """Which of `keys` are known."""
    wanted = sorted(set(keys))
    if not wanted:
        return set()
    statement = select(SeenEventRow.dedupe_key).where(col(SeenEventRow.dedupe_key).in_(wanted))
    return set((await session.exec(statement)).all())


async def get_seen(*, session: AsyncSession, dedupe_key: str) -> SeenEventRow | None:
    return await session.get(SeenEventRow, dedupe_key)


async def _insert(session: AsyncSession, rows: list[dict[str, Any]]) -> list[str]:
    statement = (
        insert(_TABLE)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(_TABLE.c.dedupe_key)
    )
    result = await session.exec(statement)
    return list(result.scalars())
