"""The hot path's publish (`send_record`, one deadline timer) against the shared one."""

import asyncio

import pytest

from smsbus.ingest.deadlines import Deadlines
from smsbus.ingest.testing import read_topics
from smsbus.runtime.kafka import OutgoingRecord, make_broker, publish_record, send_record
from smsbus.runtime.testing import NewTopic


@pytest.mark.integration
async def test_send_record_writes_what_publish_record_writes(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic("ingest-publish-path", partitions=3)
    headers = {"event-type": "message.received", "event-id": "EV1", "correlation-id": "EV1"}
    record = OutgoingRecord(topic, b"+19876543210", b'{"event_id":"EV1"}', headers)
    broker = make_broker(kafka_bootstrap, client_id="ingest-test")
    await broker.start()
    try:
        shared = await publish_record(broker, record)
        direct = await send_record(broker, record)
    finally:
        await broker.stop()
    assert (direct.topic, direct.partition) == (shared.topic, shared.partition)
    first, second = sorted(
        (await read_topics(kafka_bootstrap, [topic]))[topic], key=lambda r: r.offset
    )
    assert (second.key, second.value) == (first.key, first.value) == (record.key, record.value)
    assert second.headers == first.headers
    assert [name for name, _ in first.headers] == [
        "content-type",
        "correlation_id",
        "event-type",
        "event-id",
        "correlation-id",
    ]


async def test_send_record_refuses_before_the_broker_is_connected() -> None:
    broker = make_broker("127.0.0.1:1", client_id="ingest-test")
    record = OutgoingRecord("t", b"k", b"v", {"correlation-id": "EV1"})
    with pytest.raises(Exception, match="connect broker first"):
        await send_record(broker, record)


async def test_a_wait_past_its_deadline_is_cancelled_and_says_so() -> None:
    deadlines = Deadlines(0.05)

    async def publish(seconds: float) -> str:
        wait = deadlines.start()
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            if not deadlines.expired(wait):
                raise
            task = asyncio.current_task()
            assert task is not None
            assert task.cancelling() == 0  # consumed, as asyncio.timeout does
            return "timed out"
        finally:
            deadlines.finish(wait)
        return "done"

    results = await asyncio.gather(publish(0.2), publish(0.001), publish(0.2), publish(0.01))
    assert results == ["timed out", "done", "timed out", "done"]
    assert await publish(0.001) == "done"  # the timer re-arms after the queue emptied
    assert await publish(0.2) == "timed out"


async def test_a_cancellation_from_elsewhere_is_not_taken_for_a_timeout() -> None:
    deadlines = Deadlines(5)
    outcome: list[str] = []

    async def publish() -> None:
        wait = deadlines.start()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            outcome.append("timed out" if deadlines.expired(wait) else "cancelled")
            raise
        finally:
            deadlines.finish(wait)

    task = asyncio.create_task(publish())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert outcome == ["cancelled"]
