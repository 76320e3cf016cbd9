"""Imports as background jobs, whatever they import (DNC lists, consent): a kind's `submit`
answers at once with the job's id and the import runs in this process.

The upload is copied to an anonymous temporary file the job owns: it outlives the request and
vanishes with the process, whatever happens. The job's transaction (`keeper`) holds its
advisory lock from start to end and records `succeeded` last; what the import writes and its
progress are the kind's own (`ImportWork`). A process starting up fails the jobs a stopped
process left `queued`/`running`; a process stopping fails its own.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import IO, Any, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.store import jobs
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff, error_message
from smsbus.runtime.loops import until_done

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
INTERRUPTED = "interrupted: the compliance process stopped before the import finished"

CreateJob = Callable[[AsyncSession, int, str, datetime], Awaitable[int]]
"""Records the job, queued: (session, the file's size, the runner, now) → its id."""


class ImportWork(Protocol):
    """One job's import."""

    async def run(self, job_id: int, spool: IO[bytes], keeper: AsyncSession) -> None:
        """Imports `spool`; `keeper`'s transaction holds the job's lock (the import may work in
        it or beside it) and must mark the job succeeded as its last statement."""

    def failure(self, exc: Exception) -> str | None:
        """The error recorded for an expected failure (a bad file); None for a bug."""

    def progress(self) -> dict[str, Any]:
        """The kind's columns recorded with a failure (what it got through)."""


class ImportJobs:
    """Starts imports (`start`) and watches over them for as long as the service lives
    (`run`, a background task of the lifespan). Each kind of import subclasses it with a
    `submit` of its own."""

    def __init__(
        self, *, name: str, table: jobs.JobTable, sessions: Sessions, clock: Callable[[], datetime]
    ) -> None:
        self.runner = uuid.uuid4().hex
        self._name = name
        self._table = table
        self._sessions = sessions
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, *, source: IO[bytes], create: CreateJob, work: ImportWork) -> int:
        """Copies `source` to a file of the job's own, records the job (queued) and starts it."""
        spool, size = await asyncio.to_thread(_spool, source, self._name)
        try:
            async with self._sessions() as session, session.begin():
                job_id = await create(session, size, self.runner, self._clock())
        except BaseException:
            spool.close()
            raise
        task = asyncio.create_task(self._run(job_id, spool, work), name=f"{self._name}-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job_id

    async def run(self) -> None:
        """Fails the jobs a stopped process left behind (until the database answers), then
        waits; when cancelled, stops this process's jobs and fails them."""
        try:
            await until_done(
                self._fail_abandoned,
                name=f"looking for abandoned {self._name}s",
                backoff=Backoff(initial=1.0, maximum=30.0),
            )
            await asyncio.Event().wait()
        finally:
            await self._stop()

    async def _run(self, job_id: int, spool: IO[bytes], work: ImportWork) -> None:
        try:
            with spool:
                async with self._sessions() as keeper, keeper.begin():
                    await jobs.lock_job(session=keeper, jobs=self._table, job_id=job_id)
                    async with self._sessions() as side, side.begin():
                        started = await jobs.start_job(
                            session=side, jobs=self._table, job_id=job_id, at=self._clock()
                        )
                    if started:  # else a process starting up failed it before it began
                        await work.run(job_id, spool, keeper)
        except Exception as exc:
            expected = work.failure(exc)
            if expected is None:
                logger.exception("%s %s failed", self._name, job_id)
            await self._fail(job_id, expected or error_message(exc), work.progress())

    async def _fail(self, job_id: int, error: str, values: dict[str, Any]) -> None:
        try:
            async with self._sessions() as session, session.begin():
                await jobs.fail_job(
                    session=session, jobs=self._table, job_id=job_id, error=error,
                    at=self._clock(), values=values,
                )  # fmt: skip
        except Exception as exc:
            # It stays `running` until the next process starts and fails it.
            logger.warning(
                "cannot record %s %s as failed: %s", self._name, job_id, error_message(exc)
            )

    async def _fail_abandoned(self) -> None:
        async with self._sessions() as session, session.begin():
            failed = await jobs.fail_abandoned_jobs(
                session=session, jobs=self._table, runner=self.runner,
                error=INTERRUPTED, at=self._clock(),
            )  # fmt: skip
        if failed:
            logger.warning("%ss %s were interrupted by a restart: failed", self._name, failed)

    async def _stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            async with self._sessions() as session, session.begin():
                await jobs.fail_unfinished_jobs(
                    session=session, jobs=self._table, runner=self.runner,
                    error=INTERRUPTED, at=self._clock(),
                )  # fmt: skip
        except Exception as exc:
            logger.warning("cannot fail this process's %ss: %s", self._name, error_message(exc))


def _spool(source: IO[bytes], name: str) -> tuple[IO[bytes], int]:
    """An anonymous temporary file (gone with the process) holding what `source` holds, at its
    start, and its size."""
    prefix = f"smsbus-{name.replace(' ', '-')}-"
    spool = tempfile.TemporaryFile(prefix=prefix)  # noqa: SIM115 (the job closes it)
    try:
        source.seek(0)
        shutil.copyfileobj(source, spool, CHUNK)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool, size
