"""DNC import jobs (`dnc_import_jobs`): what is their own (the job's fields, progress and the
version it made); the rest is every import job's (`store/jobs.py`). Keyword-only functions.

The import's transaction never touches the job's row before its last statement,
`succeed_job`: a job is `succeeded` exactly when its import committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.dnc_import import ImportProgress
from smsbus.compliance.domain.dnc import DncFormat
from smsbus.compliance.models import DncImportJobRow
from smsbus.compliance.store import jobs as generic
from smsbus.compliance.store.dnc import ImportSummary
from smsbus.runtime.tables import table

JOBS = table(DncImportJobRow)
DNC_JOBS = generic.JobTable(JOBS, "compliance.dnc-import:")


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
    await generic.lock_job(session=session, jobs=DNC_JOBS, job_id=job_id)


async def start_job(*, session: AsyncSession, job_id: int, at: datetime) -> bool:
    return await generic.start_job(session=session, jobs=DNC_JOBS, job_id=job_id, at=at)


async def record_progress(*, session: AsyncSession, job_id: int, progress: ImportProgress) -> None:
    await (await session.connection()).execute(
        JOBS.update()
        .where(JOBS.c.id == job_id, JOBS.c.status == "running")
        .values(**progress_values(progress))
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
            finished_at=at, **progress_values(progress),
        )
    )  # fmt: skip


async def job(*, session: AsyncSession, job_id: int) -> dict[str, Any] | None:
    return await generic.job(session=session, jobs=DNC_JOBS, job_id=job_id)


async def jobs(*, session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    return await generic.recent_jobs(session=session, jobs=DNC_JOBS, limit=limit)


def progress_values(progress: ImportProgress) -> dict[str, Any]:
    return {
        "bytes_read": progress.bytes_read,
        "records": progress.records,
        "invalid_lines": progress.invalid_lines,
        "invalid_examples": list(progress.examples),
    }
