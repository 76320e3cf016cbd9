"""The `alerts` table: alerts decided on a status transition and their delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.health.models import AlertRow
from smsbus.runtime.db import execute
from smsbus.runtime.tables import table

_TABLE = table(AlertRow)
_C = _TABLE.c


@dataclass(frozen=True)
class DueAlert:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


async def add(
    *,
    session: AsyncSession,
    kind: str,
    check_id: str,
    payload: dict[str, Any],
    status: str,
    now: datetime,
) -> None:
    """The canary's alert for the check that changed the status."""
    values = _new(kind, payload, status, now)
    await execute(session, insert(_TABLE).values(**values, check_id=check_id))


async def add_forwarded(
    *,
    session: AsyncSession,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    status: str,
    now: datetime,
) -> bool:
    """A rule's alert from Alertmanager; False when the same one was forwarded already."""
    statement = (
        insert(_TABLE)
        .values(**_new(kind, payload, status, now), source="prometheus", dedupe_key=dedupe_key)
        .on_conflict_do_nothing(
            index_elements=[_C.dedupe_key], index_where=_C.dedupe_key.is_not(None)
        )
        .returning(_C.id)
    )
    return (await execute(session, statement)).first() is not None


def _new(kind: str, payload: dict[str, Any], status: str, now: datetime) -> dict[str, Any]:
    return {
        "kind": kind,
        "payload": payload,
        "status": status,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }


async def due(*, session: AsyncSession, now: datetime, limit: int = 20) -> list[DueAlert]:
    """Pending alerts whose attempt is due, oldest first, locked for this transaction."""
    statement = (
        select(_C.id, _C.kind, _C.payload, _C.attempts)
        .where(_C.status == "pending", _C.next_attempt_at <= now)
        .order_by(_C.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [
        DueAlert(r.id, r.kind, r.payload, r.attempts) for r in await execute(session, statement)
    ]


async def delivered(*, session: AsyncSession, alert_id: int, at: datetime) -> None:
    await execute(
        session,
        update(_TABLE)
        .where(_C.id == alert_id)
        .values(status="delivered", attempts=_C.attempts + 1, delivered_at=at, last_error=None),
    )


async def retry_later(
    *, session: AsyncSession, alert_id: int, at: datetime, delay: timedelta, error: str
) -> None:
    await execute(
        session,
        update(_TABLE)
        .where(_C.id == alert_id)
        .values(attempts=_C.attempts + 1, next_attempt_at=at + delay, last_error=error),
    )


async def failed(*, session: AsyncSession, alert_id: int, error: str) -> None:
    await execute(
        session,
        update(_TABLE)
        .where(_C.id == alert_id)
        .values(status="failed", attempts=_C.attempts + 1, last_error=error),
    )


async def listing(*, session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    statement = select(_TABLE).order_by(_C.id.desc()).limit(limit)
    return [dict(row._mapping) for row in await execute(session, statement)]
