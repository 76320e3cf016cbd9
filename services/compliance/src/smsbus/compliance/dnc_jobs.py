"""DNC imports as background jobs (`import_jobs.py`): `POST /v1/dnc/imports` answers 202 at
once and the import runs in this process.

The import is one transaction, the job's own (all or nothing: a bad file ends the job `failed`
and changes nothing); progress is committed beside it after each chunk read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.dnc_import import CHUNK, ImportProgress, records_from_upload
from smsbus.compliance.domain.dnc import DncFileError, DncFormat
from smsbus.compliance.import_jobs import INTERRUPTED, ImportJobs
from smsbus.compliance.settings import Settings
from smsbus.compliance.store import dnc as lists
from smsbus.compliance.store import dnc_jobs as jobs
from smsbus.runtime.db import Sessions

__all__ = ["INTERRUPTED", "DncImports"]


class DncImports(ImportJobs):
    """Starts DNC imports (`submit`) and watches over them (`run`, a background task of the
    lifespan)."""

    @classmethod
    def of(
        cls, settings: Settings, *, sessions: Sessions, clock: Callable[[], datetime]
    ) -> DncImports:
        return cls(
            sessions=sessions,
            clock=clock,
            default_region=settings.default_region,
            max_invalid_lines=settings.dnc_max_invalid_lines,
        )

    def __init__(
        self,
        *,
        sessions: Sessions,
        clock: Callable[[], datetime],
        default_region: str,
        max_invalid_lines: int,
        chunk_size: int = CHUNK,
    ) -> None:
        super().__init__(name="dnc-import", table=jobs.DNC_JOBS, sessions=sessions, clock=clock)
        self._default_region = default_region
        self._max_invalid_lines = max_invalid_lines
        self._chunk_size = chunk_size

    async def submit(
        self, *, source: IO[bytes], list_name: str, fmt: DncFormat, filename: str | None
    ) -> int:
        """Copies `source` to a file of the job's own, records the job (queued) and starts it."""

        async def create(session: AsyncSession, size: int, runner: str, at: datetime) -> int:
            return await jobs.create_job(
                session=session, list_name=list_name, fmt=fmt, filename=filename,
                file_bytes=size, runner=runner, created_at=at,
            )  # fmt: skip

        work = _DncImport(
            sessions=self._sessions, clock=self._clock, default_region=self._default_region,
            max_invalid_lines=self._max_invalid_lines, chunk_size=self._chunk_size,
            list_name=list_name, fmt=fmt, filename=filename,
        )  # fmt: skip
        return await self.start(source=source, create=create, work=work)


@dataclass
class _DncImport:
    sessions: Sessions
    clock: Callable[[], datetime]
    default_region: str
    max_invalid_lines: int
    chunk_size: int
    list_name: str
    fmt: DncFormat
    filename: str | None
    _progress: ImportProgress = field(default_factory=ImportProgress)

    async def run(self, job_id: int, spool: IO[bytes], keeper: AsyncSession) -> None:
        # The import works in the job's transaction and writes the job's row only in its last
        # statement: progress, committed beside it on other connections, never waits for it.
        progress = self._progress

        async def report() -> None:
            async with self.sessions() as side, side.begin():
                await jobs.record_progress(session=side, job_id=job_id, progress=progress)

        records = records_from_upload(
            spool,
            fmt=self.fmt,
            default_region=self.default_region,
            max_invalid_lines=self.max_invalid_lines,
            progress=progress,
            on_chunk=report,
            chunk_size=self.chunk_size,
        )
        summary = await lists.import_list(
            session=keeper,
            name=self.list_name,
            fmt=self.fmt,
            filename=self.filename,
            records=records,
            imported_at=self.clock(),
        )
        await jobs.succeed_job(
            session=keeper, job_id=job_id, summary=summary, progress=progress, at=self.clock()
        )

    def failure(self, exc: Exception) -> str | None:
        return f"bad DNC file: {exc}" if isinstance(exc, DncFileError) else None

    def progress(self) -> dict[str, Any]:
        return jobs.progress_values(self._progress)
