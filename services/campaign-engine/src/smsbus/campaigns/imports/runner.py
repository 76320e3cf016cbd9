"""Contact imports as background jobs of the engine process, one at a time, in the order they
were submitted.

A job reads its spooled file a chunk at a time in a worker thread (parsing is CPU-bound) while
the previous chunk is COPYed and merged, one transaction per chunk with the import's counts:
what GET /v1/contacts/imports/{id} shows is what is committed. The rows' consent columns go to
a consent file of the job's own; once every chunk is in, compliance (the only writer of
consent) is handed that file as a consent import, followed to its end: the contacts import
succeeds with it, or fails with compliance's reason (its contacts stay imported). Asked to, it
then has compliance check its numbers' line types (line_check.py).

Nothing outlives the process but the rows: the file is the process's own, so an import this
process held when it stopped (a restart, a crash) cannot go on. While it lives the runner
renews the `heartbeat_at` of every import it holds; any replica fails a queued or running
import whose heartbeat is older than `stale_seconds` (at start and then every
`heartbeat_seconds`)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import logging
import os
import time
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns.consent_handoff import ConsentHandoff, HandoffFailed
from smsbus.campaigns.domain.imports import ERRORS_KEPT, ChunkDone, Progress, duplicate_errors
from smsbus.campaigns.imports.chunks import CONSENT_HEADER, Chunk, read_chunks
from smsbus.campaigns.line_check import LineCheck
from smsbus.campaigns.store import import_chunks as chunk_store
from smsbus.campaigns.store import imports as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.loops import repeat

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ImportJob:
    import_id: str
    path: Path
    """The upload, spooled to a file the job owns (deleted when it ends)."""
    mapping: dict[str, str] = field(default_factory=dict)
    list_id: str | None = None
    check_lines: bool = False
    """Once the contacts are in, their numbers' line types are checked at compliance."""


class Interrupted(RuntimeError):
    """The import is no longer running here (a sweep failed it): stop."""


@dataclass(kw_only=True)
class ImportRunner:
    engine: AsyncEngine
    sessions: Sessions
    region: str
    rows_per_chunk: int = 25_000
    heartbeat_seconds: float = 10.0
    stale_seconds: float = 60.0
    consent: ConsentHandoff | None = None
    lines: LineCheck | None = None
    _queue: asyncio.Queue[ImportJob] = field(init=False, default_factory=asyncio.Queue)
    _held: set[str] = field(init=False, default_factory=set)

    def submit(self, job: ImportJob) -> None:
        self._held.add(job.import_id)
        self._queue.put_nowait(job)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._keep_alive())
            group.create_task(self._work())

    async def _work(self) -> None:
        try:
            while True:
                job = await self._queue.get()
                await self._run(job)
        finally:
            await self._abandon_queued()

    async def _keep_alive(self) -> None:
        # Retried no later than the next heartbeat would be: a late one lets other replicas
        # take this process's imports for stopped.
        await repeat(
            self._heartbeat_once,
            name="import heartbeat",
            interval=self.heartbeat_seconds,
            backoff=Backoff(initial=1.0, maximum=self.heartbeat_seconds),
        )

    async def _heartbeat_once(self) -> None:
        async with self.sessions() as session, session.begin():
            await store.heartbeat(session=session, import_ids=sorted(self._held))
            failed = await store.fail_interrupted(session=session, stale_seconds=self.stale_seconds)
        if failed:
            logger.warning("imports interrupted by a stopped process: %s", failed)

    async def _run(self, job: ImportJob) -> None:
        try:
            async with self.sessions() as session, session.begin():
                started = await store.start_import(session=session, import_id=job.import_id)
            if started:
                handed = await self._import(job)
                if handed:
                    await self._hand_over_consent(job)
                if job.check_lines:
                    await self._check_lines(job)
                await self._finish(job, "succeeded")
        except asyncio.CancelledError:
            await self._finish(job, "failed", "interrupted: the engine stopped")
            raise
        except Exception as exc:
            logger.warning("import %s failed", job.import_id, exc_info=exc)
            await self._finish(job, "failed", _reason(exc))
        finally:
            self._held.discard(job.import_id)
            job.path.unlink(missing_ok=True)
            consent_file(job).unlink(missing_ok=True)

    async def _import(self, job: ImportJob) -> int:
        """The contacts, a chunk per transaction; returns the rows written to the consent file."""
        id_prefix = chunk_store.contact_id_prefix(
            at_ms=time.time_ns() // 1_000_000, random_bits=int.from_bytes(os.urandom(6))
        )
        progress = Progress()
        with consent_file(job).open("w", newline="", encoding="utf-8") as out:
            consent = csv.writer(out, lineterminator="\n")
            consent.writerow(CONSENT_HEADER)
            chunks = read_chunks(
                job.path, mapping=job.mapping, region=self.region, rows=self.rows_per_chunk,
                consent=consent,
            )  # fmt: skip
            async with (
                chunk_store.bulk_connection(engine=self.engine) as driver,
                contextlib.aclosing(parsed_ahead(chunks)) as parsed,
            ):
                async for chunk in parsed:
                    async with driver.transaction():
                        done = await self._merge(driver, job, id_prefix, chunk)
                        progress = progress.after(done)
                        if not await chunk_store.save_progress(
                            driver=driver, import_id=job.import_id, progress=progress
                        ):
                            raise Interrupted(job.import_id)
        return progress.consent_rows

    async def _hand_over_consent(self, job: ImportJob) -> None:
        """compliance records the consent rows (its import, followed to its end)."""
        if self.consent is None:
            raise HandoffFailed("the file has consent columns and no hand-off to compliance")

        async def seen(consent: dict[str, Any]) -> None:
            async with self.sessions() as session, session.begin():
                await store.record_consent(
                    session=session, import_id=job.import_id, consent=consent
                )

        outcome = await self.consent.hand_over(
            consent_file(job), filename=f"contacts-import-{job.import_id}.csv", on_progress=seen
        )
        if outcome["status"] != "succeeded":
            raise HandoffFailed(
                f"compliance's consent import {outcome['id']} failed: {outcome.get('error')}"
            )

    async def _check_lines(self, job: ImportJob) -> None:
        """compliance learns the line types of the import's numbers (line_check.py); whatever
        it could not check is said in the outcome, and the import still succeeds."""
        async with self.sessions() as session, session.begin():
            phones = await store.imported_phones(session=session, import_id=job.import_id)
        lines = (
            await self.lines.check(phones)
            if self.lines is not None
            else {"checked": 0, "error": "no line check configured"}
        )
        async with self.sessions() as session, session.begin():
            await store.record_lines(session=session, import_id=job.import_id, lines=lines)

    @staticmethod
    async def _merge(driver: object, job: ImportJob, id_prefix: str, chunk: Chunk) -> ChunkDone:
        merged = await chunk_store.merge_chunk(
            driver=driver, import_id=job.import_id, id_prefix=id_prefix, list_id=job.list_id,
            copy_text=chunk.copy_text, sample=ERRORS_KEPT,
        )  # fmt: skip
        return ChunkDone(
            rows_read=chunk.rows_read, bytes_read=chunk.bytes_read, invalid=chunk.invalid,
            invalid_sample=chunk.invalid_sample, imported=merged.imported,
            created=merged.created, duplicates=chunk.duplicates + merged.duplicates,
            duplicate_sample=duplicate_errors(chunk.duplicate_sample, merged.duplicate_sample),
            consent_rows=chunk.consent_rows,
        )  # fmt: skip

    async def _finish(self, job: ImportJob, status: str, reason: str | None = None) -> None:
        """Best effort: if the database is away, the sweep fails the import later."""
        try:
            async with asyncio.timeout(10), self.sessions() as session, session.begin():
                await store.finish_import(
                    session=session, import_id=job.import_id, status=status, reason=reason
                )
        except Exception as exc:
            logger.warning("could not record import %s as %s", job.import_id, status, exc_info=exc)

    async def _abandon_queued(self) -> None:
        while not self._queue.empty():
            job = self._queue.get_nowait()
            await self._finish(job, "failed", "interrupted: the engine stopped")
            self._held.discard(job.import_id)
            job.path.unlink(missing_ok=True)
            consent_file(job).unlink(missing_ok=True)


def consent_file(job: ImportJob) -> Path:
    """The job's consent rows, beside its spooled upload (deleted with it)."""
    return job.path.with_name(job.path.name + ".consent.csv")


async def parsed_ahead(items: Iterator[T]) -> AsyncGenerator[T, None]:
    """`items` produced in a worker thread, one ahead of the consumer: the next chunk is parsed
    while this one is merged. A thread cannot be stopped, so leaving early waits for the chunk
    being parsed before the iterator is closed."""
    pending = asyncio.ensure_future(asyncio.to_thread(next, items, None))
    try:
        while (item := await pending) is not None:
            pending = asyncio.ensure_future(asyncio.to_thread(next, items, None))
            yield item
    finally:
        with contextlib.suppress(BaseException):
            await asyncio.shield(pending)
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 500 else text[:497] + "..."
