"""Background work due at simulated times: status changes, webhook attempts, retries.

A job is due at a simulated moment; the loop runs it as a task when the clock gets there,
either by real time passing or by `advance`. `settle()` waits until nothing is running and
nothing is due, so tests wait for outcomes instead of sleeping.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from smsbus.openphone_sim.clock import SimClock

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


@dataclass(order=True)
class _Entry:
    due: datetime
    number: int
    job: Job = field(compare=False)


class Scheduler:
    def __init__(self, clock: SimClock, *, speed: float) -> None:
        self._clock = clock
        self._speed = speed
        self._queue: list[_Entry] = []
        self._numbers = itertools.count()
        self._running: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._run(), name="sim-scheduler")

    async def stop(self) -> None:
        running = list(self._running)
        self.clear()
        await asyncio.gather(*running, return_exceptions=True)
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None

    def after(self, openphone_seconds: float, job: Job) -> None:
        """Runs `job` once this much of OpenPhone's schedule (÷ speed) has passed."""
        due = self._clock.now() + timedelta(seconds=openphone_seconds / self._speed)
        heapq.heappush(self._queue, _Entry(due, next(self._numbers), job))
        self.clock_changed()

    def clock_changed(self) -> None:
        self._wake.set()
        self._changed.set()

    def shift(self, delta: timedelta) -> None:
        """The clock was relabelled (set, not advanced): pending work keeps its remaining wait."""
        for entry in self._queue:
            entry.due += delta
        self.clock_changed()

    def clear(self) -> None:
        self._queue.clear()
        for task in self._running:
            task.cancel()
        self.clock_changed()

    @property
    def pending(self) -> int:
        return len(self._queue) + len(self._running)

    def idle(self) -> bool:
        if self._running:
            return False
        if not self._queue:
            return True
        return self._clock.frozen and self._queue[0].due > self._clock.now()

    async def settle(self, within: float) -> bool:
        """True once idle; False if still busy after `within` real seconds."""
        try:
            async with asyncio.timeout(within):
                while not self.idle():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            return False
        return True

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            now = self._clock.now()
            while self._queue and self._queue[0].due <= now:
                self._spawn(heapq.heappop(self._queue).job)
            wait = self._clock.seconds_until(self._queue[0].due) if self._queue else None
            try:
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _spawn(self, job: Job) -> None:
        task = asyncio.create_task(self._guarded(job))
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._changed.set()

    async def _guarded(self, job: Job) -> None:
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            # One broken job must not stop the simulator; the log says what broke.
            logger.exception("simulator job failed")
