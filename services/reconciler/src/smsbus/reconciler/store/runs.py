"""`runs`: one row per reconciliation run, and the lock that keeps runs one at a time."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import func, text, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.reconciler.domain.windows import Window
from smsbus.reconciler.models import RunRow

# Per schema, so tests with their own schemas never block each other; per pass ("runs" is the
# deep pass, "fast" the fast pass), so the two never wait for each other.
_LOCK_KEY = "hashtext('smsbus.reconciler.' || :name || '.' || current_schema())"
_TRY_LOCK = text(f"SELECT pg_try_advisory_lock({_LOCK_KEY})")
_UNLOCK = text(f"SELECT pg_advisory_unlock({_LOCK_KEY})")


@contextlib.asynccontextmanager
async def run_lock(engine: AsyncEngine, name: str = "runs") -> AsyncIterator[bool]:
    """Yields True while this holder alone may run pass `name` (across processes and
    replicas). A session lock on its own connection: it goes with the connection if the
    process dies."""
    async with engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
        acquired = bool((await conn.execute(_TRY_LOCK, {"name": name})).scalar_one())
        try:
            yield acquired
        finally:
            if acquired:
                await conn.execute(_UNLOCK, {"name": name})


async def abandon_running(*, session: AsyncSession, now: datetime) -> int:
    """Runs left `running` by a process that died; call only while holding the lock."""
    result = await session.exec(
        update(RunRow)
        .where(col(RunRow.status) == "running")
        .values(status="failed", finished_at=now, error="abandoned: its process stopped")
    )
    return result.rowcount


async def last_success_end(*, session: AsyncSession) -> datetime | None:
    """The watermark: where the latest successful run's window ended."""
    statement = select(func.max(RunRow.window_end)).where(col(RunRow.status) == "succeeded")
    value: datetime | None = (await session.exec(statement)).one()
    return value


async def save_run(*, session: AsyncSession, run: RunRow) -> RunRow:
    merged = await session.merge(run)
    await session.flush()
    return merged


async def get_run(*, session: AsyncSession, run_id: str) -> RunRow | None:
    return await session.get(RunRow, run_id)


async def list_runs(*, session: AsyncSession, limit: int) -> list[RunRow]:
    statement = select(RunRow).order_by(col(RunRow.started_at).desc(), col(RunRow.id)).limit(limit)
    return list((await session.exec(statement)).all())


def window_of(run: RunRow) -> Window:
    return Window(start=run.window_start, end=run.window_end)
