"""stop_consumer: aiokafka's own cancellation out of `stop()` (a consumer without a group
stopped before its coordinator's task first ran) is not taken for ours; ours still is."""

import asyncio

import pytest

from smsbus.runtime.kafka import stop_consumer


class RacedStop:
    """stop() as aiokafka 0.14 does it in that race: it awaits a task cancelled before it ran."""

    async def stop(self) -> None:
        inner = asyncio.ensure_future(asyncio.sleep(0))
        inner.cancel()
        await inner


class SlowStop:
    stopped = False

    async def stop(self) -> None:
        await asyncio.sleep(10)
        self.stopped = True


async def test_the_libraries_own_cancellation_does_not_end_the_caller() -> None:
    with pytest.raises(asyncio.CancelledError):
        await RacedStop().stop()  # what the CI failure showed
    await stop_consumer(RacedStop())  # type: ignore[arg-type]
    await asyncio.sleep(0)  # and the caller goes on


async def test_a_cancellation_of_the_caller_is_still_raised() -> None:
    consumer = SlowStop()
    stopping = asyncio.create_task(stop_consumer(consumer))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping
    assert not consumer.stopped
