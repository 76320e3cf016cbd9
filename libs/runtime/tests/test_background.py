"""Background: loops stop last started first, and neither a failed one nor one that will not
stop keeps the others running."""

import asyncio
import contextlib

import pytest

from smsbus.runtime.background import Background


async def test_loops_stop_last_started_first_even_after_one_failed() -> None:
    stopped: list[str] = []

    async def forever(name: str) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.append(name)

    async def fails() -> None:
        raise RuntimeError("broken loop")

    background = Background()
    background.start(forever("relay"), "relay")
    background.start(fails(), "failing")
    background.start(forever("sender"), "sender")
    await asyncio.sleep(0)  # each has started; "failing" has failed

    await background.stop()

    assert stopped == ["sender", "relay"]
    await background.stop()  # stopping again is a no-op


async def test_a_loop_that_will_not_stop_is_left_behind_after_the_grace_and_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stopped: list[str] = []
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await release.wait()

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.append("relay")

    background = Background(grace=0.2)
    background.start(forever(), "relay")
    background.start(stubborn(), "stubborn-gauge")
    await asyncio.sleep(0)

    async with asyncio.timeout(5):
        await background.stop()

    assert stopped == ["relay"]
    assert "stubborn-gauge did not stop within 0s" in caplog.text
    assert "waiting in stubborn (" in caplog.text  # where it waits, outermost coroutine first
    release.set()
