"""The one way a service loops: `repeat` for a periodic worker (relay, senders, sweeps, gauges,
schedules) and `until_done` for "keep trying until it works" (connecting, a start-up sweep).

A worker is a `work` function doing one pass; the loop decides when the next pass runs:
at once when the pass says more is ready (`True`: a full batch), after `interval` seconds (or
earlier, when `wake` fires) otherwise, and after a growing, jittered backoff when it raised.

Cancelling the task stops the loop, even when a pass swallowed the cancellation: aiokafka's
close() and stop() cancel a task of their own and await it under `suppress(CancelledError)`,
which also eats a cancellation of the caller's task arriving meanwhile. A loop that ran on
after it was told to stop would hold its service's shutdown forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Final, Protocol, TypeVar

from smsbus.runtime.failures import Backoff, Fault, classify, error_message

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_BACKOFF: Final = Backoff(initial=1.0, maximum=60.0)


class Wakeup(Protocol):
    """What ends an idle wait early: a local event, a PostgreSQL NOTIFY (runtime.notify)."""

    async def wait(self, at_most: float) -> None:
        """Returns when woken, or after `at_most` seconds, whichever comes first."""


class LocalWakeup:
    """A wake-up fired in this process: `set()` (also usable as a callback) ends the current
    wait, or the next one if nobody waits now: a wake-up is never lost."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self, *_: object) -> None:
        self._event.set()

    async def wait(self, at_most: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                await self._event.wait()
        self._event.clear()


async def repeat(
    work: Callable[[], Awaitable[object]],
    *,
    name: str,
    interval: float,
    first_delay: float = 0.0,
    backoff: Backoff | None = None,
    wake: Wakeup | None = None,
    start_to_start: bool = False,
    sleep: Sleep = asyncio.sleep,
    rand: Callable[[], float] = random.random,
    monotonic: Callable[[], float] = time.monotonic,
) -> None:
    """Runs `work` until cancelled. `work` returns True when more is ready (the next pass runs
    at once); anything else (None, False, a count) means idle: the next pass runs after
    `interval` seconds (counted from the pass's start with `start_to_start`: a schedule that a
    long pass must not push back), or when `wake` fires. A pass that raises is logged with
    `name` and retried after `backoff`'s delay, growing with each failure in a row (reset by a
    success). `sleep`, `rand` (the jitter) and `monotonic` are for tests."""
    backoff = backoff or DEFAULT_BACKOFF
    failures = 0
    await sleep(first_delay)
    while True:
        started = monotonic()
        try:
            more = await work()
        except Exception as exc:
            stop_if_cancelled()
            failures += 1
            await sleep(_pause(name, exc, backoff.delay(failures, rand)))
            continue
        stop_if_cancelled()
        failures = 0
        if more is True:
            continue
        idle = max(0.0, interval - (monotonic() - started)) if start_to_start else interval
        if wake is None:
            await sleep(idle)
        else:
            await wake.wait(idle)


async def until_done(
    attempt: Callable[[], Awaitable[T]],
    *,
    name: str,
    first_delay: float = 0.0,
    backoff: Backoff | None = None,
    sleep: Sleep = asyncio.sleep,
    rand: Callable[[], float] = random.random,
) -> T:
    """Runs `attempt` until it returns (its value is returned), backing off between failures
    as `repeat` does."""
    backoff = backoff or DEFAULT_BACKOFF
    failures = 0
    await sleep(first_delay)
    while True:
        try:
            return await attempt()
        except Exception as exc:
            stop_if_cancelled()
            failures += 1
            await sleep(_pause(name, exc, backoff.delay(failures, rand)))


def stop_if_cancelled() -> None:
    """Raises a cancellation of the current task that something swallowed (see the module's
    docstring): the task still counts the request (`cancelling()`) until it is uncancelled,
    as asyncio.timeout does with its own."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _pause(name: str, exc: Exception, delay: float) -> float:
    """Logs the failure; a dependency being away needs no traceback, anything else (a bug)
    does."""
    logger.warning(
        "%s failed (%s); again in %.1fs",
        name,
        error_message(exc, limit=300),
        delay,
        exc_info=exc if classify(exc) is Fault.POISON else None,
    )
    return delay
