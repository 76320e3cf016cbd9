"""Import jobs in the background, whatever they import (`dnc_import_jobs`,
`consent_import_jobs`): each kind's table has `id`, `status`, `runner`, `error`, `created_at`,
`started_at`, `finished_at`; these keyword-only functions work on any of them.

Progress is written in short transactions of their own, beside the import's (a poll must see it
while the import is still open); the import's own transaction holds the job's advisory lock
(`lock_job`) and marks it `succeeded` in its last statement. PostgreSQL releases the lock the
moment the process dies, which is how a starting process tells an abandoned job from one
another process is still running (`fail_abandoned_jobs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, text
from sqlmodel.ext.asyncio.session import AsyncSession

UNFINISHED = ("queued", "running")


@dataclass(frozen=True)
class JobTable:
    table: Table
    lock_prefix: str
    """The advisory lock key's namespace: `hashtextextended(<prefix> || id, 0)`."""

    def key(self, job_id_sql: str) -> str:
        return f"hashtextextended('{self.lock_prefix}' || {job_id_sql}, 0)"


async def lock_job(*, session: AsyncSession, jobs: JobTable, job_id: int) -> None:
    """Held until the session's transaction ends: the job is alive."""
    await (await session.connection()).execute(
        text(f"SELECT pg_advisory_xact_lock({jobs.key(':id')})"), {"id": str(job_id)}
    )


async def start_job(*, session: AsyncSession, jobs: JobTable, job_id: int, at: datetime) -> bool:
    """queued → running; False when it is queued no more (a starting process failed it)."""
    table = jobs.table
    result = await (await session.connection()).execute(
        table.update()
        .where(table.c.id == job_id, table.c.status == "queued")
        .values(status="running", started_at=at)
    )
    return bool(result.rowcount)


async def fail_job(
    *,
    session: AsyncSession,
    jobs: JobTable,
    job_id: int,
    error: str,
    at: datetime,
    values: Mapping[str, Any] | None = None,
) -> None:
    """`values`: the kind's own columns to record with the failure (its progress)."""
    table = jobs.table
    await (await session.connection()).execute(
        table.update()
        .where(table.c.id == job_id, table.c.status.in_(UNFINISHED))
        .values(status="failed", error=error, finished_at=at, **(values or {}))
    )


async def fail_unfinished_jobs(
    *, session: AsyncSession, jobs: JobTable, runner: str, error: str, at: datetime
) -> int:
    """This process's jobs that have not finished (it is stopping)."""
    table = jobs.table
    result = await (await session.connection()).execute(
        table.update()
        .where(table.c.runner == runner, table.c.status.in_(UNFINISHED))
        .values(status="failed", error=error, finished_at=at)
    )
    return int(result.rowcount)


async def fail_abandoned_jobs(
    *, session: AsyncSession, jobs: JobTable, runner: str, error: str, at: datetime
) -> list[int]:
    """Other processes' unfinished jobs whose lock no one holds: their process stopped."""
    statement = text(
        f"UPDATE {jobs.table.name} SET status = 'failed', error = :error, finished_at = :at "
        "WHERE status IN ('queued', 'running') AND runner IS DISTINCT FROM :runner "
        f"AND pg_try_advisory_xact_lock({jobs.key('id')}) RETURNING id"
    )
    result = await (await session.connection()).execute(
        statement, {"runner": runner, "error": error, "at": at}
    )
    return [row[0] for row in result.all()]


async def job(*, session: AsyncSession, jobs: JobTable, job_id: int) -> dict[str, Any] | None:
    query = select(jobs.table).where(jobs.table.c.id == job_id)
    row = (await (await session.connection()).execute(query)).mappings().first()
    return dict(row) if row else None


async def recent_jobs(*, session: AsyncSession, jobs: JobTable, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    query = select(jobs.table).order_by(jobs.table.c.id.desc()).limit(limit)
    return [dict(row) for row in (await (await session.connection()).execute(query)).mappings()]
