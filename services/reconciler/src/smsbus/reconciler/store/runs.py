"""`runs`: one row per reconciliation run, and the lock that keeps runs one at a time."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.reconciler.domain.windows import Window
from smsbus.reconciler.models import RunRow
from smsbus.runtime.db import execute
from smsbus.runtime.tables import table

_RUNS = table(RunRow)

# Per schema, so tests with their own schemas never block each other; per pass ("runs" is the
# deep pass, "fast" the fast pass), so the two never wait for each other.
_LOCK_KEY = "hashtext('smsbus.reconciler.' || :name || '.' || current_schema())"
_TRY_LOCK = text(f"SELECT pg_try_advisory_lock({_LOCK_KEY})")
_UNLOCK = text(f"SELECT pg_advisory_unlock({_LOCK_KEY})")


@contextlib.asynccontextmanager
async def run_lock(*, engine: AsyncEngine, name: str) -> AsyncIterator[bool]:
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
    result = await execute(
        session,
        update(_RUNS)
        .where(_RUNS.c.status == "running")
        .values(status="failed", finished_at=now, error="abandoned: its process stopped"),
    )
    return result.rowcount


async def last_success_end(*, session: AsyncSession) -> datetime | None:
    """The watermark: where the latest successful run's window ended."""
    statement = select(func.max(_RUNS.c.window_end)).where(_RUNS.c.status == "succeeded")
    value: datetime | None = (await execute(session, statement)).scalar_one()
    return value


async def save_run(*, session: AsyncSession, run: RunRow) -> RunRow:
    """Inserts the run or overwrites its row with `run`; answers `run`."""
    values = run.model_dump()
    statement = insert(_RUNS).values(**values)
    await execute(session, statement.on_conflict_do_update(index_elements=["id"], set_=values))
    return run


async def get_run(*, session: AsyncSession, run_id: str) -> RunRow | None:
    row = (await execute(session, select(_RUNS).where(_RUNS.c.id == run_id))).mappings().first()
    return None if row is None else RunRow(**row)


async def list_runs(*, session: AsyncSession, limit: int) -> list[RunRow]:
    statement = select(_RUNS).order_by(_RUNS.c.started_at.desc(), _RUNS.c.id).limit(limit)
    return [RunRow(**row) for row in (await execute(session, statement)).mappings()]


def window_of(run: RunRow) -> Window:
    return Window(start=run.window_start, end=run.window_end)
