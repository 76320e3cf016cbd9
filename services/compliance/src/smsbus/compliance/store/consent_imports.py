"""Consent import jobs (`consent_import_jobs`) and their staged rows (`consent_import_rows`):
what is their own; the rest is every import job's (`store/jobs.py`). Keyword-only functions.

Rows are COPYed into the staging table as the file is read, in one transaction (a broken file
stages nothing); repeats of a number are counted in one statement; then the numbers are taken in
phone order, each by its first line (the first line wins), a chunk per transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.domain.consent_import import ConsentRow, ImportCounts, Refused
from smsbus.compliance.models import ConsentImportJobRow, ConsentImportRow
from smsbus.compliance.store import jobs as generic
from smsbus.runtime.tables import table

JOBS = table(ConsentImportJobRow)
STAGED = table(ConsentImportRow)
CONSENT_JOBS = generic.JobTable(JOBS, "compliance.consent-import:")
_COUNTS = ("bytes_read", "rows_read", "numbers", "applied", "granted", "revoked", "no_consent",
           "kept_opted_out", "refused")  # fmt: skip
_STAGED_COLUMNS = (
    "job_id", "line", "phone", "consent", "source", "consented_at", "consent_text", "ref",
)  # fmt: skip

# Every line of a number but its first is a duplicate: counted, and the first ones by line
# listed. One pass over the job's rows (a window, no join): whatever the planner believes of the
# staging table (its statistics may be another import's), this is a sort, never a nested loop.
_DUPLICATES = text(
    """
    WITH per_phone AS (
      SELECT line, phone, ref, min(line) OVER (PARTITION BY phone) AS first_line
      FROM consent_import_rows WHERE job_id = :job
    )
    SELECT count(*) FILTER (WHERE line <> first_line) AS duplicates,
           count(*) FILTER (WHERE line = first_line) AS numbers,
           (SELECT coalesce(json_agg(d ORDER BY d.line), '[]') FROM (
              SELECT * FROM per_phone WHERE line <> first_line ORDER BY line LIMIT :keep) d
           ) AS sample
    FROM per_phone
    """
)
# The next numbers in phone order, each by its first line (the index's order: a chunk is read
# from where the last one ended, never by sorting what is left).
_CHUNK = text(
    "SELECT DISTINCT ON (phone) line, phone, consent, source, consented_at, consent_text, ref "
    "FROM consent_import_rows WHERE job_id = :job AND phone > :after "
    "ORDER BY phone, line LIMIT :n"
)
# Staged rows of imports no longer running (a stopped process's): nothing will read them.
_FORGET_STALE = text(
    "DELETE FROM consent_import_rows r USING consent_import_jobs j "
    "WHERE j.id = r.job_id AND j.status NOT IN ('queued', 'running')"
)


async def create_job(
    *,
    session: AsyncSession,
    filename: str | None,
    scope: str,
    actor: str,
    file_bytes: int,
    runner: str,
    created_at: datetime,
) -> int:
    counts = dict.fromkeys(_COUNTS, 0)
    job_id = await (await session.connection()).scalar(
        pg_insert(JOBS)
        .values(status="queued", runner=runner, filename=filename, scope=scope, actor=actor,
                file_bytes=file_bytes, refused_by_reason={}, refused_rows=[],
                created_at=created_at, **counts)
        .returning(JOBS.c.id)
    )  # fmt: skip
    return int(job_id)


async def stage(*, session: AsyncSession, job_id: int, rows: Sequence[ConsentRow]) -> None:
    """COPYs accepted rows into the staging table, in the caller's transaction."""
    if not rows:
        return
    records = [
        (job_id, r.line, r.phone, r.consent, r.source, r.consented_at, r.text, r.ref) for r in rows
    ]
    driver = (await (await session.connection()).get_raw_connection()).driver_connection
    await driver.copy_records_to_table(  # type: ignore[union-attr]
        STAGED.name, records=records, columns=_STAGED_COLUMNS
    )


async def duplicates(
    *, session: AsyncSession, job_id: int, keep: int
) -> tuple[int, int, list[Refused]]:
    """(repeated lines, distinct numbers, the first `keep` repeats refused): the chunks read
    each number's first line only."""
    conn = await session.connection()
    row = (await conn.execute(_DUPLICATES, {"job": job_id, "keep": keep})).one()
    sample = [
        Refused(
            d["line"], "duplicate", f"duplicate of line {d['first_line']}", d["phone"], d["ref"]
        )
        for d in row.sample
    ]
    return int(row.duplicates), int(row.numbers), sample


async def next_chunk(
    *, session: AsyncSession, job_id: int, after: str, size: int
) -> list[ConsentRow]:
    """The next `size` staged numbers after `after`, in phone order (each number once)."""
    result = await (await session.connection()).execute(
        _CHUNK, {"job": job_id, "after": after, "n": size}
    )
    return [
        ConsentRow(r.line, r.phone, r.consent, r.source, r.consented_at, r.consent_text, r.ref)
        for r in result
    ]


async def forget_staged(*, session: AsyncSession, job_id: int) -> None:
    await (await session.connection()).execute(STAGED.delete().where(STAGED.c.job_id == job_id))


async def forget_stale(*, session: AsyncSession) -> None:
    await (await session.connection()).execute(_FORGET_STALE)


async def record_progress(*, session: AsyncSession, job_id: int, counts: ImportCounts) -> bool:
    """The counts so far; False when the job is no longer running (a starting process failed
    it): the import must stop."""
    result = await (await session.connection()).execute(
        JOBS.update()
        .where(JOBS.c.id == job_id, JOBS.c.status == "running")
        .values(**progress_values(counts))
    )
    return bool(result.rowcount)


async def succeed_job(
    *, session: AsyncSession, job_id: int, counts: ImportCounts, at: datetime
) -> None:
    """In the job's own transaction, as its last statement."""
    await (await session.connection()).execute(
        JOBS.update()
        .where(JOBS.c.id == job_id)
        .values(status="succeeded", finished_at=at, **progress_values(counts))
    )


async def job(*, session: AsyncSession, job_id: int) -> dict[str, Any] | None:
    return await generic.job(session=session, jobs=CONSENT_JOBS, job_id=job_id)


async def jobs(*, session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    """Newest first."""
    return await generic.recent_jobs(session=session, jobs=CONSENT_JOBS, limit=limit)


def progress_values(counts: ImportCounts) -> dict[str, Any]:
    values = dataclasses.asdict(counts)
    values["refused_rows"] = [dataclasses.asdict(r) for r in counts.refused_rows]
    return values
