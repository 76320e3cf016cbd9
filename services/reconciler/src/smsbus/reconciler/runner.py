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
from dataclasses import dataclass, field
from datetime import timedelta

from smsbus.reconciler.domain.judging import count_by_type
from smsbus.reconciler.domain.windows import next_window, remembered_since
from smsbus.reconciler.emitting import emit_missing
from smsbus.reconciler.history import History, fetch_history
from smsbus.reconciler.models import RunRow
from smsbus.reconciler.offsets import run_start_offsets, wait_caught_up
from smsbus.reconciler.passes import LockedPass, PassConfig
from smsbus.reconciler.store import runs as run_store
from smsbus.runtime.loops import repeat

logger = logging.getLogger(__name__)


class AlreadyRunning(Exception):
    """Another run (in this process or another replica) holds the lock."""


UNDER_WAY = "a reconciliation run is already under way"


@dataclass(frozen=True)
class RunConfig(PassConfig):
    lookback: timedelta = timedelta(days=7)
    overlap: timedelta = timedelta(hours=1)
    grace: timedelta = timedelta(minutes=10)


@dataclass(kw_only=True, eq=False)
class Reconciler(LockedPass[RunConfig, RunRow]):
    lock_name = "runs"
    label = "reconciliation run"
    _background: set[asyncio.Task[None]] = field(default_factory=set, init=False, repr=False)

    async def run(self, trigger: str) -> RunRow:
        """Runs once and answers the finished run; AlreadyRunning if one is under way."""
        run = await self._run_locked(lambda: self._open(trigger))
        if run is None:
            raise AlreadyRunning(UNDER_WAY)
        return run

    async def start(self, trigger: str) -> RunRow:
        """Opens a run and works it in the background: answers it as opened (`running`) as
        soon as it holds the lock; AlreadyRunning if one is under way. A run can take minutes
        (a week of history at the key's pace): no caller should hold a request open that long."""
        opened: asyncio.Future[RunRow] = asyncio.get_running_loop().create_future()

        async def open_run() -> RunRow:
            run = await self._open(trigger)
            opened.set_result(run)
            return run

        async def whole_run() -> None:
            try:
                if await self._run_locked(open_run) is None:
                    opened.set_exception(AlreadyRunning(UNDER_WAY))
            except Exception as exc:  # opening failed (the database is away): the caller hears
                if opened.done():
                    raise
                opened.set_exception(exc)

        task = asyncio.create_task(whole_run(), name=f"reconciliation run ({trigger})")
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)
        return await asyncio.shield(opened)

    async def close(self) -> None:
        """Cancels the runs working in the background (shutdown): each stays `running` until
        the next run marks it abandoned."""
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    async def _open(self, trigger: str) -> RunRow:
        now = self.clock()
        async with self.sessions() as session, session.begin():
            await run_store.abandon_running(session=session, now=now)
            window = next_window(
                now=now,
                last_success_end=await run_store.last_success_end(session=session),
                lookback=self.config.lookback,
                overlap=self.config.overlap,
                grace=self.config.grace,
                memory=self.config.memory,
            )
            if window.unjudged_since is not None:
                logger.warning(
                    "the last successful run ended before what the reconciler remembers: "
                    "history from %s to %s is not reconciled", window.unjudged_since.isoformat(),
                    window.start.isoformat(),
                )  # fmt: skip
            run = RunRow(
                id=self.new_id(),
                trigger=trigger,
                status="running",
                started_at=now,
                window_start=window.start,
                window_end=window.end,
            )
            return await run_store.save_run(session=session, run=run)

    async def _work(self, run: RunRow) -> RunRow:
        config = self.config
        targets = await run_start_offsets(config.bootstrap, list(config.topics.values()))
        history = await fetch_history(
            self.client,
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
        now = self.clock()
        async with self.sessions() as session, session.begin():
            emitted = await emit_missing(
                session=session,
                facts=history.facts,
                since=remembered_since(now=now, memory=self.config.memory),
                cutoff=run.window_end,
                correlation_id=run.id,
                topics=self.config.topics,
                now=now,
            )
            run.missing = count_by_type(emitted)
            run.status = "succeeded"
            run.finished_at = self.clock()
            saved = await run_store.save_run(session=session, run=run)
        if self.metrics is not None:
            self.metrics.recovered("deep", emitted, at=now)
        return saved

    async def _failed(self, run: RunRow, reason: str) -> RunRow:
        return await self._finish(run, status="failed", error=reason)

    async def _finish(self, run: RunRow, *, status: str, error: str) -> RunRow:
        run.status = status
        run.error = error
        run.finished_at = self.clock()
        async with self.sessions() as session, session.begin():
            return await run_store.save_run(session=session, run=run)

    def _observe(self, run: RunRow, seconds: float) -> None:
        logger.info(
            "reconciliation run %s %s: %d lines, %d conversations, %d messages, %d calls, "
            "missing %s",
            run.id, run.status, run.lines_checked, run.conversations_checked,
            run.messages_checked, run.calls_checked, run.missing or "nothing",
            extra={"correlation_id": run.id},
        )  # fmt: skip
        metrics = self.metrics
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
        if run.status == "succeeded":
            metrics.last_success.set((run.finished_at or run.started_at).timestamp())


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        logger.error("%s could not be finished", task.get_name(), exc_info=exc)


def _count(run: RunRow, history: History) -> None:
    run.lines_checked = history.lines
    run.conversations_checked = history.conversations
    run.messages_checked = history.messages
    run.calls_checked = history.calls


async def run_periodically(reconciler: Reconciler, *, interval: float, first_delay: float) -> None:
    """The schedule: a run `interval` seconds after the last one, until cancelled. A run that
    cannot start because another holds the lock waits for the next; one that fails to start
    (the database is away) is tried again with backoff."""

    async def scheduled_run() -> None:
        try:
            await reconciler.run("schedule")
        except AlreadyRunning:
            logger.info("scheduled run skipped: another run is under way")

    await repeat(scheduled_run, name="scheduled run", interval=interval, first_delay=first_delay)
