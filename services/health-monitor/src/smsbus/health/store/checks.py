"""The `checks` table: intents, the egress's answers, decisions, and the summary of results."""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.health.domain.checks import PENDING, Check
from smsbus.health.domain.status import Summary
from smsbus.health.models import CheckRow
from smsbus.runtime.db import execute
from smsbus.runtime.tables import table

_TABLE = table(CheckRow)
_C = _TABLE.c
# A check's row is its fields plus the trigger that started it.
_CHECK_FIELDS = tuple(field.name for field in fields(Check))
_DECIDED = ("passed", "failed")
# Serialises decisions, so each one sees the summary the previous one left (alert transitions).
_DECISION_LOCK = text("SELECT pg_advisory_xact_lock(hashtext('smsbus.health.decide'))")


class AlreadyPending(Exception):
    """A check is pending; there is at most one at a time."""


def to_check(row: Any) -> Check:
    """A row as the domain's check: every column but the trigger."""
    return Check(**{name: getattr(row, name) for name in _CHECK_FIELDS})


async def add_intent(*, session: AsyncSession, check: Check, trigger: str) -> None:
    """Commits nothing itself; raises AlreadyPending when another check is pending."""
    statement = _TABLE.insert().values(**asdict(check), trigger=trigger)
    try:
        async with session.begin_nested():
            await execute(session, statement)
    except IntegrityError as exc:
        if "checks_one_pending_idx" in str(exc.orig):
            raise AlreadyPending from None
        raise


async def get(*, session: AsyncSession, check_id: str, lock: bool = False) -> Check | None:
    statement = select(_TABLE).where(_C.id == check_id)
    if lock:
        statement = statement.with_for_update()
    row = (await execute(session, statement)).first()
    return to_check(row) if row is not None else None


async def recent(*, session: AsyncSession, limit: int) -> list[Check]:
    statement = select(_TABLE).order_by(_C.created_at.desc(), _C.id).limit(limit)
    return [to_check(row) for row in await execute(session, statement)]


async def pending(
    *, session: AsyncSession, lock: bool = False, due_by: datetime | None = None
) -> list[Check]:
    """Pending checks (at most one, by the unique index); `lock` skips rows locked elsewhere."""
    statement = select(_TABLE).where(_C.state.in_(sorted(PENDING))).order_by(_C.created_at)
    if due_by is not None:
        statement = statement.where(_C.deadline_at <= due_by)
    if lock:
        statement = statement.with_for_update(skip_locked=True)
    return [to_check(row) for row in await execute(session, statement)]


async def lock_pending(*, session: AsyncSession) -> list[Check]:
    """Pending checks, locked (waits for a concurrent decision on them)."""
    statement = select(_TABLE).where(_C.state.in_(sorted(PENDING))).with_for_update()
    return [to_check(row) for row in await execute(session, statement)]


async def last_created_at(*, session: AsyncSession) -> datetime | None:
    value = (await execute(session, select(func.max(_C.created_at)))).scalar_one_or_none()
    return cast(datetime | None, value)


async def save_answer(*, session: AsyncSession, check: Check) -> None:
    """What the egress answered: the message id and the line's number."""
    await _save(session, check, "state", "message_id", "line_number")


async def save_decision(*, session: AsyncSession, check: Check) -> None:
    await _save(
        session, check, "state", "message_id", "finished_at", "stage", "reason", "event_type",
        "round_trip_seconds",
    )  # fmt: skip


async def _save(session: AsyncSession, check: Check, *columns: str) -> None:
    """The check's `columns`, as `check` holds them, onto its row."""
    values = {column: getattr(check, column) for column in columns}
    await execute(session, update(_TABLE).where(_C.id == check.id).values(**values))


async def lock_decisions(*, session: AsyncSession) -> None:
    await execute(session, _DECISION_LOCK)


async def summary(*, session: AsyncSession) -> Summary:
    decided = _C.state.in_(_DECIDED)
    last_pass = select(func.max(_C.finished_at)).where(_C.state == "passed").scalar_subquery()
    statement = select(
        func.count().filter(decided),
        last_pass,
        func.max(_C.finished_at).filter(decided),
        func.count().filter(
            _C.state == "failed",
            _C.finished_at > func.coalesce(last_pass, text("'-infinity'::timestamptz")),
        ),
    )
    row: Any = (await execute(session, statement)).one()
    return Summary(
        decided=row[0], last_success_at=row[1], last_check_at=row[2], consecutive_failures=row[3]
    )
