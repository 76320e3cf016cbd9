"""Background: loops stop last started first, and a failed one does not keep the others running."""

import asyncio

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
