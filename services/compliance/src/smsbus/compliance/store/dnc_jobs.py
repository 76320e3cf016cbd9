"""DNC import jobs (`dnc_import_jobs`). Keyword-only functions.

Progress is written in short transactions of its own, beside the import's (a poll must see it
while the import is still open), so the import's transaction never touches the job's row
before its last statement, `succeed_job`: a job is `succeeded` exactly when its import
committed. That transaction also holds the job's advisory lock (`lock_job`): PostgreSQL
releases it the moment the process dies, which is how a starting process tells an abandoned
job from one another process is still running (`fail_abandoned_jobs`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.dnc_import import ImportProgress
from smsbus.compliance.domain.dnc import DncFormat
from smsbus.compliance.models import DncImportJobRow
from smsbus.compliance.store.dnc import ImportSummary

JOBS = DncImportJobRow.__table__  # type: ignore[attr-defined]
UNFINISHED = ("queued", "running")
_JOB_KEY = "hashtextextended('compliance.dnc-import:' || {id}, 0)"

_FAIL_ABANDONED = text(
    f"""
    UPDATE dnc_import_jobs SET status = 'failed', error = :error, finished_at = :at
    WHERE status IN ('queued', 'running') AND runner IS DISTINCT FROM :runner
      AND pg_try_advisory_xact_lock({_JOB_KEY.format(id="id")})
    RETURNING id
    """
)


async def create_job(
    *,
    session: AsyncSession,
    list_name: str,
    fmt: DncFormat,
    filename: str | None,
    file_bytes: int,
    runner: str,
    created_at: datetime,
) -> int:
    job_id = await (await session.connection()).scalar(
        pg_insert(JOBS)
        .values(list_name=list_name, format=fmt, filename=filename, status="queued",
                runner=runner, file_bytes=file_bytes, bytes_read=0, records=0,
                invalid_lines=0, invalid_examples=[], area_codes=[], created_at=created_at)
        .returning(JOBS.c.id)
    )  # fmt: skip
    return int(job_id)


async def lock_job(*, session: AsyncSession, job_id: int) -> None:
    """Held until the session's transaction ends: the job is alive."""
    await (await session.connection()).execute(
        text(f"SELECT pg_advisory_xact_lock({_JOB_KEY.format(id=':id')})"), {"id": str(job_id)}
    )


async def start_job(*, session: AsyncSession, job_id: int, at: datetime) -> bool:
    """queued → running; False when it is queued no more (a starting process failed it)."""
    result = await (await session.connection()).execute(
        JOBS.update()
        .where(JOBS.c.id == job_id, JOBS.c.status == "queued")
        .values(status="running", started_at=at)
    )
    return bool(result.rowcount)


async def record_progress(*, session: AsyncSession, job_id: int, progress: ImportProgress) -> None:
    await (await session.connection()).execute(
        JOBS.update()
        .where(JOBS.c.id == job_id, JOBS.c.status == "running")
        .values(**_progress(progress))
    )


async def succeed_job(
    *,
    session: AsyncSession,
    job_id: int,
    summary: ImportSummary,
    progress: ImportProgress,
    at: datetime,
) -> None:
    """In the import's transaction, as its last statement."""
    await (await session.connection()).execute(
        JOBS.update().where(JOBS.c.id == job_id).values(
            status="succeeded", version=summary.version, added=summary.added,
            removed=summary.removed, total=summary.total, area_codes=summary.area_codes,
            finished_at=at, **_progress(progress),
        )
    )  # fmt: skip


async def fail_job(
    *, session: AsyncSession, job_id: int, error: str, progress: ImportProgress, at: datetime
) -> None:
    await (await session.connection()).execute(
        JOBS.update()
        .where(JOBS.c.id == job_id, JOBS.c.status.in_(UNFINISHED))
        .values(status="failed", error=error, finished_at=at, **_progress(progress))
    )


async def fail_unfinished_jobs(
    *, session: AsyncSession, runner: str, error: str, at: datetime
) -> int:
    """This process's jobs that have not finished (it is stopping)."""
    result = await (await session.connection()).execute(
        JOBS.update()
        .where(JOBS.c.runner == runner, JOBS.c.status.in_(UNFINISHED))
        .values(status="failed", error=error, finished_at=at)
    )
    return int(result.rowcount)


async def fail_abandoned_jobs(
    *, session: AsyncSession, runner: str, error: str, at: datetime
) -> list[int]:
    """Other processes' unfinished jobs whose lock no one holds: their process stopped."""
    result = await (await session.connection()).execute(
        _FAIL_ABANDONED, {"runner": runner, "error": error, "at": at}
    )
    return [row[0] for row in result.all()]


async def job(*, session: AsyncSession, job_id: int) -> dict[str, Any] | None:
    query = select(JOBS).where(JOBS.c.id == job_id)
    row = (await (await session.connection()).execute(query)).mappings().first()
    return dict(row) if row else None


async def jobs(*, session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    query = select(JOBS).order_by(JOBS.c.id.desc()).limit(limit)
    return [dict(row) for row in (await (await session.connection()).execute(query)).mappings()]


def _progress(progress: ImportProgress) -> dict[str, Any]:
    return {
        "bytes_read": progress.bytes_read,
        "records": progress.records,
        "invalid_lines": progress.invalid_lines,
        "invalid_examples": list(progress.examples),
    }
