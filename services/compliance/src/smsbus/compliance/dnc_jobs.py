"""DNC imports as background jobs: `POST /v1/dnc/imports` answers 202 at once and the import
runs in this process.

The upload is copied to an anonymous temporary file the job owns: it outlives the request and
vanishes with the process, whatever happens. The import is one transaction (all or nothing; a
bad file ends the job `failed` and changes nothing); progress is committed beside it after each
chunk read. A process starting up fails the jobs a stopped process left `running`; a process
stopping fails its own.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from smsbus.compliance.dnc_import import CHUNK, ImportProgress, records_from_upload
from smsbus.compliance.domain.dnc import DncFileError, DncFormat
from smsbus.compliance.store import dnc as lists
from smsbus.compliance.store import dnc_jobs as jobs
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff, error_message

logger = logging.getLogger(__name__)

INTERRUPTED = "interrupted: the compliance process stopped before the import finished"


@dataclass(frozen=True)
class _Job:
    id: int
    list_name: str
    fmt: DncFormat
    filename: str | None
    spool: IO[bytes]


class DncImports:
    """Starts imports (`submit`) and watches over them for as long as the service lives
    (`run`, a background task of the lifespan)."""

    def __init__(
        self,
        *,
        sessions: Sessions,
        clock: Callable[[], datetime],
        default_region: str,
        max_invalid_lines: int,
        chunk_size: int = CHUNK,
    ) -> None:
        self.runner = uuid.uuid4().hex
        self._sessions = sessions
        self._clock = clock
        self._default_region = default_region
        self._max_invalid_lines = max_invalid_lines
        self._chunk_size = chunk_size
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(
        self, *, source: IO[bytes], list_name: str, fmt: DncFormat, filename: str | None
    ) -> int:
        """Copies `source` to a file of the job's own, records the job (queued) and starts it."""
        spool, size = await asyncio.to_thread(_spool, source)
        try:
            async with self._sessions() as session, session.begin():
                job_id = await jobs.create_job(
                    session=session,
                    list_name=list_name,
                    fmt=fmt,
                    filename=filename,
                    file_bytes=size,
                    runner=self.runner,
                    created_at=self._clock(),
                )
        except BaseException:
            spool.close()
            raise
        job = _Job(job_id, list_name, fmt, filename, spool)
        task = asyncio.create_task(self._run(job), name=f"dnc-import-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job_id

    async def run(self) -> None:
        """Fails the jobs a stopped process left behind (until the database answers), then
        waits; when cancelled, stops this process's jobs and fails them."""
        try:
            await self._fail_abandoned()
            await asyncio.Event().wait()
        finally:
            await self._stop()

    async def _run(self, job: _Job) -> None:
        progress = ImportProgress()
        try:
            with job.spool:
                await self._import(job, progress)
        except DncFileError as exc:
            await self._fail(job.id, f"bad DNC file: {exc}", progress)
        except Exception as exc:
            logger.exception("DNC import %s failed", job.id)
            await self._fail(job.id, error_message(exc), progress)

    async def _import(self, job: _Job, progress: ImportProgress) -> None:
        # The import's transaction holds the job's lock until it ends (the job is alive) and
        # writes the job's row only in its last statement: progress, committed beside it on
        # other connections, never waits for it.
        async with self._sessions() as session, session.begin():
            await jobs.lock_job(session=session, job_id=job.id)
            async with self._sessions() as side, side.begin():
                if not await jobs.start_job(session=side, job_id=job.id, at=self._clock()):
                    return  # a process starting up failed it before it began

            async def report() -> None:
                async with self._sessions() as side, side.begin():
                    await jobs.record_progress(session=side, job_id=job.id, progress=progress)

            records = records_from_upload(
                job.spool,
                fmt=job.fmt,
                default_region=self._default_region,
                max_invalid_lines=self._max_invalid_lines,
                progress=progress,
                on_chunk=report,
                chunk_size=self._chunk_size,
            )
            summary = await lists.import_list(
                session=session,
                name=job.list_name,
                fmt=job.fmt,
                filename=job.filename,
                records=records,
                imported_at=self._clock(),
            )
            await jobs.succeed_job(
                session=session, job_id=job.id, summary=summary, progress=progress, at=self._clock()
            )

    async def _fail(self, job_id: int, error: str, progress: ImportProgress) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await jobs.fail_job(
                    session=session, job_id=job_id, error=error, progress=progress, at=self._clock()
                )
        except Exception as exc:
            # It stays `running` until the next process starts and fails it.
            logger.warning("cannot record DNC import %s as failed: %s", job_id, error_message(exc))

    async def _fail_abandoned(self) -> None:
        backoff, attempt = Backoff(initial=1.0, maximum=30.0), 0
        while True:
            try:
                async with self._sessions() as session, session.begin():
                    failed = await jobs.fail_abandoned_jobs(
                        session=session, runner=self.runner, error=INTERRUPTED, at=self._clock()
                    )
            except Exception as exc:
                attempt += 1
                logger.warning("cannot look for abandoned DNC imports: %s", error_message(exc))
                await asyncio.sleep(backoff.delay(attempt))
                continue
            if failed:
                logger.warning("DNC imports %s were interrupted by a restart: failed", failed)
            return

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            async with self._sessions() as session, session.begin():
                await jobs.fail_unfinished_jobs(
                    session=session, runner=self.runner, error=INTERRUPTED, at=self._clock()
                )
        except Exception as exc:
            logger.warning("cannot fail this process's DNC imports: %s", error_message(exc))


def _spool(source: IO[bytes]) -> tuple[IO[bytes], int]:
    """An anonymous temporary file (gone with the process) holding what `source` holds, at its
    start, and its size."""
    spool = tempfile.TemporaryFile(prefix="smsbus-dnc-import-")  # noqa: SIM115 (the job closes it)
    try:
        source.seek(0)
        shutil.copyfileobj(source, spool, CHUNK)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, size
