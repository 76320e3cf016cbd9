"""One timer for every publish in flight, instead of an `asyncio.timeout` per publish.

Every publish waits the same `timeout`, so deadlines arrive in the order the publishes started:
a deque, and a single loop timer set for the oldest deadline still pending. Starting a wait is
an append, finishing it clears a slot; the timer fires about once per `timeout` while publishes
complete in time, and cancels the task of each one that has not (`asyncio.timeout` would: the
same cancellation, the same `uncancel`). `asyncio.timeout` costs a Timeout object, a timer
handle and several Python calls per publish: ~8 µs, a few per cent of a webhook (bench/README.md).

    wait = deadlines.start()
    try:
        await publish()
    except asyncio.CancelledError:
        if not deadlines.expired(wait):
            raise  # cancelled by someone else (shutdown): let it through
        ...  # timed out
    finally:
        deadlines.finish(wait)
"""

from __future__ import annotations

import asyncio
from collections import deque


class Wait:
    __slots__ = ("deadline", "expired", "task")

    def __init__(self, deadline: float, task: asyncio.Task[object] | None) -> None:
        self.deadline = deadline
        self.task = task
        """The task waiting, until it finishes (then None)."""
        self.expired = False


class Deadlines:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._waits: deque[Wait] = deque()
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> Wait:
        """The current task waits from now on, for `timeout` seconds at most."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (tests): what the old one had is gone
            self._loop, self._timer = loop, None
            self._waits.clear()
        wait = Wait(loop.time() + self.timeout, asyncio.current_task())
        self._waits.append(wait)
        if self._timer is None:
            self._timer = loop.call_at(wait.deadline, self._expire)
        return wait

    @staticmethod
    def finish(wait: Wait) -> None:
        wait.task = None

    @staticmethod
    def expired(wait: Wait) -> bool:
        """After a CancelledError: True if it was this deadline's (the cancellation is then
        consumed, as `asyncio.timeout` does), False if the task was cancelled by someone else."""
        if not wait.expired or wait.task is None:
            return False
        return wait.task.uncancel() == 0

    def _expire(self) -> None:
        loop, waits = self._loop, self._waits
        assert loop is not None
        now = loop.time()
        while waits and (waits[0].task is None or waits[0].deadline <= now):
            wait = waits.popleft()
            if wait.task is not None:
                wait.expired = True
                wait.task.cancel()
        self._timer = loop.call_at(waits[0].deadline, self._expire) if waits else None
