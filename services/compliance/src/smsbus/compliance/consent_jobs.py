"""Consent imports as background jobs (`import_jobs.py`): `POST /v1/consent/imports` answers
202 at once and the import runs in this process, in two phases.

1. **Reading**, one transaction: the file is read a batch at a time in a worker thread, each
   row checked (`domain/consent_import.py`); accepted rows are COPYed into the staging table,
   refused ones counted; then the repeats of a number are counted (the first line wins). A
   file that is no consent CSV fails the import here and nothing is staged or recorded.
2. **Applying**, one transaction per chunk of numbers (`consent_import_chunk`, in phone
   order): their locks (the ones opt-outs and the egress take, so a STOP arriving meanwhile is
   never overtaken), their ledgers in one statement, each row decided in pure code, the
   entries and suppressions in one statement, their consent events in the outbox (one insert
   at commit), the counts. Chunks apply independently: an interrupted import keeps what its
   committed chunks recorded (its counts say how far it got) and posting the file again is
   safe (a grant appended again changes nothing; an opted-out number is still kept).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import IO, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.consent_changes import emit_change
from smsbus.compliance.consent_reader import ConsentFileError, read_batches
from smsbus.compliance.domain.consent_import import (
    REFUSED_KEPT,
    ImportContext,
    ImportCounts,
    Refused,
    decide_row,
)
from smsbus.compliance.domain.decisions import Decision
from smsbus.compliance.domain.ledger import RevocationScope
from smsbus.compliance.import_jobs import ImportJobs
from smsbus.compliance.settings import Settings
from smsbus.compliance.store import consent as ledger
from smsbus.compliance.store import consent_imports as store
from smsbus.runtime.db import Sessions


class Interrupted(RuntimeError):
    """The import is no longer running here (a starting process failed it): stop."""


@dataclass(frozen=True)
class ConsentImportConfig:
    default_region: str
    revocation_scope: RevocationScope
    consent_topic: str
    chunk: int = 1000


class ConsentImports(ImportJobs):
    """Starts consent imports (`submit`) and watches over them (`run`, a background task of
    the lifespan)."""

    @classmethod
    def of(
        cls, settings: Settings, *, sessions: Sessions, clock: Callable[[], datetime]
    ) -> ConsentImports:
        config = ConsentImportConfig(
            default_region=settings.default_region,
            revocation_scope=settings.revocation_scope,
            consent_topic=settings.topic_for("consent.revoked"),
            chunk=settings.consent_import_chunk,
        )
        return cls(sessions=sessions, clock=clock, config=config)

    def __init__(
        self, *, sessions: Sessions, clock: Callable[[], datetime], config: ConsentImportConfig
    ) -> None:
        super().__init__(
            name="consent-import", table=store.CONSENT_JOBS, sessions=sessions, clock=clock
        )
        self._config = config

    async def submit(
        self, *, source: IO[bytes], filename: str | None, scope: str, actor: str
    ) -> int:
        """Copies `source` to a file of the job's own, records the job (queued) and starts it."""

        async def create(session: AsyncSession, size: int, runner: str, at: datetime) -> int:
            return await store.create_job(
                session=session, filename=filename, scope=scope, actor=actor, file_bytes=size,
                runner=runner, created_at=at,
            )  # fmt: skip

        work = _ConsentImport(
            self._sessions, self._clock, self._config, filename=filename, scope=scope, actor=actor
        )
        return await self.start(source=source, create=create, work=work)


@dataclass
class _ConsentImport:
    sessions: Sessions
    clock: Callable[[], datetime]
    config: ConsentImportConfig
    filename: str | None
    scope: str
    actor: str
    counts: ImportCounts = field(default_factory=ImportCounts)

    async def run(self, job_id: int, spool: IO[bytes], keeper: AsyncSession) -> None:
        async with self.sessions() as session, session.begin():
            await store.forget_stale(session=session)
        await self._read(job_id, spool)
        await self._apply(job_id)
        await store.forget_staged(session=keeper, job_id=job_id)
        await store.succeed_job(session=keeper, job_id=job_id, counts=self.counts, at=self.clock())

    def failure(self, exc: Exception) -> str | None:
        if isinstance(exc, ConsentFileError):
            return f"bad consent file: {exc}"
        if isinstance(exc, Interrupted):
            return "interrupted: another compliance process failed it"
        return None

    def progress(self) -> dict[str, Any]:
        return {}  # the job's row holds the counts its committed transactions wrote

    async def _read(self, job_id: int, spool: IO[bytes]) -> None:
        batches = read_batches(spool, default_region=self.config.default_region, now=self.clock())
        counts = self.counts
        async with self.sessions() as staging, staging.begin():
            while (batch := await asyncio.to_thread(next, batches, None)) is not None:
                await store.stage(session=staging, job_id=job_id, rows=batch.rows)
                counts.rows_read += batch.rows_read
                counts.bytes_read = batch.bytes_read
                counts.refuse(batch.refused)
                await self._report(job_id)
            repeats, numbers, sample = await store.duplicates(
                session=staging, job_id=job_id, keep=REFUSED_KEPT
            )
            counts.refuse(sample, count=repeats)
            counts.numbers = numbers
            if not await store.record_progress(session=staging, job_id=job_id, counts=counts):
                raise Interrupted(job_id)

    async def _report(self, job_id: int) -> None:
        async with self.sessions() as side, side.begin():
            if not await store.record_progress(session=side, job_id=job_id, counts=self.counts):
                raise Interrupted(job_id)

    async def _apply(self, job_id: int) -> None:
        config = self.config
        context = ImportContext(
            import_id=job_id, scope=self.scope, actor=self.actor, filename=self.filename,
            revocation_scope=config.revocation_scope, now=self.clock(),
        )  # fmt: skip
        after = ""
        while True:
            async with self.sessions() as session, session.begin():
                rows = await store.next_chunk(
                    session=session, job_id=job_id, after=after, size=config.chunk
                )
                if not rows:
                    return
                after = rows[-1].phone
                phones = [row.phone for row in rows]  # distinct, sorted: the lock order
                await ledger.lock_numbers(session=session, phones=phones)
                states = await ledger.load_states(
                    session=session, phones=phones, revocation_scope=config.revocation_scope
                )
                now = replace(context, now=self.clock())
                decisions: list[Decision] = []
                for row in rows:
                    entry_id = str(uuid.uuid4())
                    outcome = decide_row(row, states[row.phone], now, entry_id=entry_id)
                    self.counts.applied_one(outcome)
                    if isinstance(outcome, Refused):
                        self.counts.refuse([outcome])
                    elif outcome is not None:
                        decisions.append(outcome)
                await ledger.apply_decisions(session=session, decisions=decisions)
                for decision in decisions:
                    await emit_change(
                        session=session,
                        decision=decision,
                        topic=config.consent_topic,
                        correlation_id=f"consent-import-{job_id}",
                    )
                if not await store.record_progress(
                    session=session, job_id=job_id, counts=self.counts
                ):
                    raise Interrupted(job_id)
