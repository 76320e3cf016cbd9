"""subscribe(): poison events go to T.G.dlq and the partition flows on; transient faults are
retried in place and later events of the key wait for them."""

import asyncio
import time
from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker

from smsbus.contracts import Contact, Envelope, dlq_topic, encode_event
from smsbus.runtime.consumer import subscribe
from smsbus.runtime.failures import Backoff
from smsbus.runtime.kafka import OutgoingRecord, publish_event, publish_record
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.stalls import Stalls
from smsbus.runtime.testing import NewTopic, unique_name

pytestmark = pytest.mark.integration

FAST = Backoff(initial=0.05, factor=2.0, maximum=0.3)


async def eventually(condition: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def read_all(
    bootstrap: str, topic: str, count: int, wait: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.seek_to_beginning()
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + wait
        while len(records) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for part in batch.values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


async def committed(bootstrap: str, group: str, topic: str) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(topic, 0))
    finally:
        await consumer.stop()


async def test_poison_goes_to_dlq_and_the_partition_flows_on(
    broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic, make_event
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    dlq = await new_topic(name=dlq_topic(topic, group))
    metrics = Metrics("runtime-tests")
    handled: list[str] = []

    async def handler(event: Envelope[Contact]) -> None:
        if event.data.first_name == "v2":
            raise ValueError("cannot handle +12566581234")
        handled.append(event.event_id)

    subscribe(broker, topic=topic, group_id=group, handler=handler, backoff=FAST, metrics=metrics)
    await broker.start()

    events = [make_event(n) for n in (1, 2, 3)]
    await publish_event(broker, events[0], topic=topic)
    await publish_event(broker, events[1], topic=topic)
    garbage = OutgoingRecord(topic, b"CT1", b"{not json", {"event-id": "EV-garbage"})
    await publish_record(broker, garbage)
    await publish_event(broker, events[2], topic=topic)

    await eventually(lambda: len(handled) == 2)
    assert handled == [events[0].event_id, events[2].event_id]

    dead = await read_all(kafka_bootstrap, dlq, 2)
    assert [r.value for r in dead] == [
        encode_event(events[1]),
        b"{not json",
    ]
    first = {name: value.decode() for name, value in dead[0].headers}
    assert dead[0].key == b"CT1"
    assert first["x-error-type"] == "builtins.ValueError"
    assert first["x-error-message"] == "cannot handle +*******1234"
    assert "test_consumer.py" in first["x-error-frame"]
    assert first["x-attempts"] == "1"
    assert first["x-original-topic"] == topic
    assert first["x-original-partition"] == "0"
    assert first["x-original-offset"] == "1"
    assert first["x-consumer-group"] == group
    assert first["event-id"] == events[1].event_id  # the original headers travel along
    second = {name: value.decode() for name, value in dead[1].headers}
    assert second["x-error-type"] == "pydantic_core._pydantic_core.ValidationError"
    assert second["x-original-offset"] == "2"

    await eventually(lambda: _sample(metrics, topic, "dead_lettered") == 2)
    assert _sample(metrics, topic, "handled") == 2
    await broker.stop()
    assert await committed(kafka_bootstrap, group, topic) == 4


def _sample(metrics: Metrics, topic: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "smsbus_runtime_tests_events_handled_total", {"topic": topic, "outcome": outcome}
    )
    return value or 0.0


async def test_transient_faults_are_retried_in_place_in_order(
    broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic, make_event
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    await new_topic(name=dlq_topic(topic, group))
    stalls = Stalls()
    attempts: list[str] = []
    done: list[str] = []
    seen_stalled: list[int] = []

    async def handler(event: Envelope[Contact]) -> None:
        attempts.append(event.event_id)
        if event.data.first_name == "v1" and attempts.count(event.event_id) <= 3:
            seen_stalled.append(len(stalls))
            raise ConnectionRefusedError("database is down")
        done.append(event.event_id)

    subscribe(broker, topic=topic, group_id=group, handler=handler, backoff=FAST, stalls=stalls)
    await broker.start()
    first, second = make_event(1), make_event(2)
    await publish_event(broker, first, topic=topic)
    await publish_event(broker, second, topic=topic)

    await eventually(lambda: len(done) == 2)
    assert done == [first.event_id, second.event_id]
    assert attempts == [first.event_id] * 4 + [second.event_id]
    assert seen_stalled == [0, 1, 1]  # readiness saw the outage from the first retry on
    assert len(stalls) == 0
    assert await read_all(kafka_bootstrap, dlq_topic(topic, group), 1, wait=2.0) == []
