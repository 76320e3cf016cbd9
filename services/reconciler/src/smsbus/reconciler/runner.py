"""The deep pass: one reconciliation run, start to finish, and the loop that schedules them
(the fast pass is fastpass.py).

lock → run row (window from the watermark) → end offsets → OpenPhone's history → wait for our
consumer to reach those offsets (else `deferred`) → in ONE transaction: missing facts recorded
as seen, their synthetic envelopes in the outbox, the run row finished. Any failure before that
transaction commits emits nothing and leaves the watermark where it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.openphone import OpenPhoneClient
from smsbus.reconciler.domain.judging import count_by_type
from smsbus.reconciler.domain.windows import next_window
from smsbus.reconciler.emitting import emit_missing
from smsbus.reconciler.history import History, fetch_history
from smsbus.reconciler.models import RunRow
from smsbus.reconciler.observability import ReconcilerMetrics
from smsbus.reconciler.offsets import run_start_offsets, wait_caught_up
from smsbus.reconciler.store import runs as run_store
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import error_message

logger = logging.getLogger(__name__)


class AlreadyRunning(Exception):
    """Another run (in this process or another replica) holds the lock."""


@dataclass(frozen=True)
class RunConfig:
    bootstrap: str
    group_id: str
    topics: Mapping[str, str]
    """Registry topic → the topic consumed and written (tests redirect them)."""
    lines: Sequence[str] = ()
    lookback: timedelta = timedelta(hours=48)
    overlap: timedelta = timedelta(hours=1)
    grace: timedelta = timedelta(minutes=10)
    catchup_timeout: float = 30.0
    page_size: int = 100
    concurrency: int = 4


class Reconciler:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        sessions: Sessions,
        client: OpenPhoneClient,
        clock: Callable[[], datetime],
        config: RunConfig,
        metrics: ReconcilerMetrics | None = None,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._client = client
        self._clock = clock
        self._config = config
        self._metrics = metrics
        self._new_id = new_id

    async def run(self, trigger: str) -> RunRow:
        """Runs once and answers the finished run; AlreadyRunning if one is under way."""
        started = time.perf_counter()
        async with run_store.run_lock(self._engine) as acquired:
            if not acquired:
                raise AlreadyRunning("a reconciliation run is already under way")
            run = await self._open(trigger)
            try:
                run = await self._work(run)
            except Exception as exc:
                logger.warning("reconciliation run %s failed", run.id, exc_info=exc)
                reason = f"{type(exc).__name__}: {error_message(exc, limit=500)}"
                run = await self._finish(run, status="failed", error=reason)
        self._observe(run, time.perf_counter() - started)
        return run

    async def _open(self, trigger: str) -> RunRow:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            await run_store.abandon_running(session=session, now=now)
            window = next_window(
                now=now,
                last_success_end=await run_store.last_success_end(session=session),
                lookback=self._config.lookback,
                overlap=self._config.overlap,
                grace=self._config.grace,
            )
            run = RunRow(
                id=self._new_id(),
                trigger=trigger,
                status="running",
                started_at=now,
                window_start=window.start,
                window_end=window.end,
            )
            return await run_store.save_run(session=session, run=run)

    async def _work(self, run: RunRow) -> RunRow:
        config = self._config
        targets = await run_start_offsets(config.bootstrap, list(config.topics.values()))
        history = await fetch_history(
            self._client,
            lines=config.lines,
            window=run_store.window_of(run),
            page_size=config.page_size,
            concurrency=config.concurrency,
        )
        _count(run, history)
        behind = await wait_caught_up(
            config.bootstrap, config.group_id, targets, within=config.catchup_timeout
        )
        if behind:
            run.consumer_lag = behind
            return await self._finish(
                run,
                status="deferred",
                error=f"consumer group {config.group_id} was {behind} record(s) behind the end "
                f"offsets taken at run start after {config.catchup_timeout:g}s",
            )
        return await self._emit_missing(run, history)

    async def _emit_missing(self, run: RunRow, history: History) -> RunRow:
        now = self._clock()
        async with self._sessions() as session, session.begin():
            emitted = await emit_missing(
                session=session,
                facts=history.facts,
                cutoff=run.window_end,
                correlation_id=run.id,
                topics=self._config.topics,
                now=now,
            )
            run.missing = count_by_type(emitted)
            run.status = "succeeded"
            run.finished_at = self._clock()
            saved = await run_store.save_run(session=session, run=run)
        if self._metrics is not None:
            self._metrics.recovered("deep", emitted, at=now)
        return saved

    async def _finish(self, run: RunRow, *, status: str, error: str) -> RunRow:
        run.status = status
        run.error = error
        run.finished_at = self._clock()
        async with self._sessions() as session, session.begin():
            return await run_store.save_run(session=session, run=run)

    def _observe(self, run: RunRow, seconds: float) -> None:
        logger.info(
            "reconciliation run %s %s: %d lines, %d conversations, %d messages, %d calls, "
            "missing %s",
            run.id, run.status, run.lines_checked, run.conversations_checked,
            run.messages_checked, run.calls_checked, run.missing or "nothing",
            extra={"correlation_id": run.id},
        )  # fmt: skip
        metrics = self._metrics
        if metrics is None:
            return
        metrics.runs.labels(outcome=run.status).inc()
        metrics.run_duration.observe(seconds)
        for kind, count in (
            ("lines", run.lines_checked),
            ("conversations", run.conversations_checked),
            ("messages", run.messages_checked),
            ("calls", run.calls_checked),
        ):
            metrics.checked.labels(kind=kind).inc(count)
        for event_type, count in run.missing.items():
            metrics.missing.labels(event_type=event_type).inc(count)
        if run.status == "succeeded":
            metrics.last_success.set((run.finished_at or run.started_at).timestamp())


def _count(run: RunRow, history: History) -> None:
    run.lines_checked = history.lines
    run.conversations_checked = history.conversations
    run.messages_checked = history.messages
    run.calls_checked = history.calls


async def run_periodically(reconciler: Reconciler, *, interval: float, first_delay: float) -> None:
    """The schedule: a run every `interval` seconds until cancelled. A run that cannot start
    (another holds the lock, the database is away) is tried again at the next tick."""
    await asyncio.sleep(first_delay)
    while True:
        try:
            await reconciler.run("schedule")
        except AlreadyRunning:
            logger.info("scheduled run skipped: another run is under way")
        except Exception as exc:
            logger.warning("scheduled run could not run: %s", error_message(exc), exc_info=exc)
        await asyncio.sleep(interval)
