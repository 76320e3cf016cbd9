"""The one loop: when the next pass runs (at once, after the interval, when woken, after a
backoff that grows and resets), with jitter in its bounds, and that cancelling stops it, even
when a pass swallowed the cancellation.

Each pass is scripted (True: more is ready; None: idle; an exception: a failure); the loop's
sleeps are recorded instead of slept, and the script's end cancels the loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import pytest

from smsbus.runtime.failures import Backoff
from smsbus.runtime.loops import LocalWakeup, repeat, until_done

BACKOFF = Backoff(initial=1.0, factor=2.0, maximum=5.0, jitter=0.5)
NO_JITTER = Backoff(initial=1.0, factor=2.0, maximum=5.0, jitter=0.0)
Step = bool | None | Exception


class Script:
    """The passes' outcomes in order; the loop is cancelled when they run out."""

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.passes = 0
        self.sleeps: list[float] = []

    async def work(self) -> bool | None:
        if not self.steps:
            raise asyncio.CancelledError
        self.passes += 1
        step = self.steps.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


async def run(
    script: Script,
    *,
    backoff: Backoff = NO_JITTER,
    rand: Callable[[], float] = lambda: 0.5,
    first_delay: float = 0.0,
) -> None:
    with pytest.raises(asyncio.CancelledError):
        await repeat(
            script.work, name="test loop", interval=7.0, first_delay=first_delay,
            backoff=backoff, sleep=script.sleep, rand=rand,
        )  # fmt: skip


async def test_a_full_pass_is_followed_at_once_an_idle_one_after_the_interval() -> None:
    script = Script(True, True, None, False, True, None)

    await run(script, first_delay=3.0)

    assert script.passes == 6
    # first_delay, then one interval after each idle pass (None, False, None) and none after True
    assert script.sleeps == [3.0, 7.0, 7.0, 7.0]


async def test_start_to_start_counts_the_interval_from_each_pass_start() -> None:
    script = Script(None, None, None)
    ticks = iter([0.0, 2.0, 10.0, 19.0, 20.0, 21.0, 22.0])  # each pass's start and end

    with pytest.raises(asyncio.CancelledError):
        await repeat(
            script.work, name="test loop", interval=7.0, start_to_start=True,
            sleep=script.sleep, monotonic=lambda: next(ticks),
        )  # fmt: skip

    # took 2 s: waits 5; took 9 s, longer than the interval: the next starts at once
    assert script.sleeps == [0.0, 5.0, 0.0, 6.0]


async def test_failures_back_off_growing_to_the_maximum_and_a_success_resets_it() -> None:
    boom = ConnectionError("database away")
    script = Script(boom, boom, boom, boom, boom, None, boom, RuntimeError("bug"), True, boom)

    await run(script)

    assert script.sleeps == [0.0, 1.0, 2.0, 4.0, 5.0, 5.0, 7.0, 1.0, 2.0, 1.0]


async def test_the_backoff_is_jittered_within_its_bounds() -> None:
    boom = ConnectionError("database away")
    low, high = Script(boom, boom, boom), Script(boom, boom, boom)

    await run(low, backoff=BACKOFF, rand=lambda: 0.999999)
    await run(high, backoff=BACKOFF, rand=lambda: 0.0)

    # attempt n waits between (1 - jitter)·b and b, b = 1, 2, 4
    assert high.sleeps[1:] == [1.0, 2.0, 4.0]
    assert low.sleeps[1:] == pytest.approx([0.5, 1.0, 2.0], rel=1e-5)


async def test_a_failure_is_logged_with_the_loop_name_and_the_masked_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="smsbus.runtime.loops")
    script = Script(ConnectionError("cannot reach +15551234567"), RuntimeError("a bug"))

    await run(script)

    first, second = caplog.records
    assert "test loop failed" in first.getMessage()
    assert "+15551234567" not in first.getMessage()
    assert first.exc_info is None  # a dependency away: no traceback
    assert second.exc_info is not None  # anything else: the traceback


async def test_a_wakeup_ends_the_idle_wait() -> None:
    wake = LocalWakeup()
    passes = 0

    async def work() -> None:
        nonlocal passes
        passes += 1
        if passes == 3:
            raise asyncio.CancelledError
        wake.set()  # as a NOTIFY arriving during the pass would

    # An hour's interval: only the wake-ups let the third pass run.
    with pytest.raises(asyncio.CancelledError):
        await repeat(work, name="woken", interval=3600.0, wake=wake)

    assert passes == 3


async def test_a_wakeup_fired_while_nobody_waits_is_kept_for_the_next_wait() -> None:
    wake = LocalWakeup()
    wake.set()
    await wake.wait(3600.0)  # returns at once: the wake-up was kept

    waiting = asyncio.create_task(wake.wait(3600.0))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not waiting.done()  # that wake-up was used up: this wait waits
    wake.set()
    await waiting


async def test_cancelling_stops_the_loop_in_its_wait_and_in_its_pass() -> None:
    idled, in_pass = asyncio.Event(), asyncio.Event()
    stopped: list[str] = []

    async def idle() -> None:
        idled.set()

    async def busy() -> None:
        in_pass.set()
        try:
            await asyncio.Event().wait()
        finally:
            stopped.append("pass")

    waiting = asyncio.create_task(repeat(idle, name="idle", interval=3600.0))
    working = asyncio.create_task(repeat(busy, name="busy", interval=3600.0))
    await idled.wait()
    await in_pass.wait()
    await asyncio.sleep(0)  # the idle loop is in its wait
    waiting.cancel()
    working.cancel()

    results = await asyncio.gather(waiting, working, return_exceptions=True)
    assert all(isinstance(result, asyncio.CancelledError) for result in results)
    assert stopped == ["pass"]  # cancelled, not taken for a failure and retried


async def test_until_done_retries_with_backoff_and_answers_the_result() -> None:
    script = Script(ConnectionError("away"), ConnectionError("away"), True)

    done = await until_done(
        script.work, name="connecting", first_delay=0.5, backoff=NO_JITTER, sleep=script.sleep
    )

    assert done is True
    assert script.sleeps == [0.5, 1.0, 2.0]


def repeating(work: Callable[[], Awaitable[Step]]) -> Awaitable[object]:
    return repeat(work, name="swallowing", interval=0.0)


def retrying(work: Callable[[], Awaitable[Step]]) -> Awaitable[object]:
    return until_done(work, name="connecting")


@pytest.mark.parametrize(
    ("looping", "outcome"),
    [
        pytest.param(repeating, None, id="repeat, idle pass"),
        pytest.param(repeating, True, id="repeat, full pass"),
        pytest.param(repeating, ConnectionError("away"), id="repeat, failed pass"),
        pytest.param(retrying, ConnectionError("away"), id="until_done, failed attempt"),
    ],
)
async def test_a_cancellation_the_pass_swallowed_still_stops_the_loop(
    looping: Callable[[Callable[[], Awaitable[Step]]], Awaitable[object]], outcome: Step
) -> None:
    """As aiokafka's close() does: it awaits a task it cancelled under suppress(CancelledError),
    which eats the caller's cancellation too; the pass then ends (idle, busy or failed)."""
    in_pass = asyncio.Event()
    passes = 0

    async def swallowing() -> Step:
        nonlocal passes
        passes += 1
        if passes == 1:
            in_pass.set()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.Event().wait()
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    loop = asyncio.ensure_future(looping(swallowing))
    await in_pass.wait()
    loop.cancel()

    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(5):
            await loop
    assert passes == 1
