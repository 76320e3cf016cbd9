"""Offsets read from the real broker: a topic's size and a consumer group's lag, including a
consumer that stopped reading (the case the lag gauge exists for)."""

import asyncio

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete

from smsbus.runtime.metrics import Metrics
from smsbus.runtime.offsets import (
    commit_offsets,
    end_offsets,
    group_lag,
    lag_behind,
    lag_by_topic,
    topic_partitions,
    topic_size,
    watch_consumer_lag,
)
from smsbus.runtime.testing import NewTopic, unique_name
from smsbus.runtime.testing_kafka import kafka_admin, produce

pytestmark = pytest.mark.integration


async def test_partitions_and_size_of_a_topic(kafka_bootstrap: str, new_topic: NewTopic) -> None:
    topic = await new_topic("offsets", partitions=3)
    await produce(kafka_bootstrap, topic, {0: range(2), 2: range(3)})

    assert await topic_partitions(kafka_bootstrap, [topic, "no.such.topic.v1"]) == [
        TopicPartition(topic, n) for n in range(3)
    ]
    assert await topic_size(kafka_bootstrap, topic) == 5
    assert await topic_size(kafka_bootstrap, "no.such.topic.v1") == 0


async def test_lag_counts_what_the_group_has_not_committed(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    first = await new_topic("offsets", partitions=2)
    second = await new_topic("offsets")
    await produce(kafka_bootstrap, first, {0: range(4), 1: range(2)})
    await produce(kafka_bootstrap, second, {0: range(3)})
    group = unique_name("lag")

    assert lag_by_topic(await group_lag(kafka_bootstrap, group, [first, second])) == {
        first: 6,
        second: 3,
    }

    await commit_offsets(
        kafka_bootstrap, group, {TopicPartition(first, 0): 3, TopicPartition(second, 0): 3}
    )
    lag = await group_lag(kafka_bootstrap, group, [first, second])

    assert lag == {
        TopicPartition(first, 0): 1,
        TopicPartition(first, 1): 2,
        TopicPartition(second, 0): 0,
    }


async def test_the_gauge_follows_a_group_that_stopped_reading(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic("offsets")
    group = unique_name("lag")
    metrics = Metrics("lagtest")
    await produce(kafka_bootstrap, topic, {0: range(2)})
    await commit_offsets(kafka_bootstrap, group, {TopicPartition(topic, 0): 2})
    watcher = asyncio.create_task(
        watch_consumer_lag(
            bootstrap=kafka_bootstrap, group_id=group, topics=[topic], metrics=metrics, interval=0.2
        )
    )
    try:
        await eventually_gauge(metrics, topic, 0)
        await produce(kafka_bootstrap, topic, {0: range(5)})  # nobody reads them
        await eventually_gauge(metrics, topic, 5)
    finally:
        watcher.cancel()
        with pytest.raises(asyncio.CancelledError):
            await watcher


async def eventually_gauge(metrics: Metrics, topic: str, expected: float) -> None:
    for _ in range(100):
        value = metrics.registry.get_sample_value(
            "smsbus_lagtest_consumer_lag_records", {"topic": topic}
        )
        if value == expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"lag gauge for {topic} never reached {expected} (last {value})")


async def test_records_deleted_by_retention_are_no_ones_lag(
    kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic("offsets")
    tp = TopicPartition(topic, 0)
    await produce(kafka_bootstrap, topic, {0: range(3)})
    async with kafka_admin(kafka_bootstrap) as admin:
        await admin.delete_records({tp: RecordsToDelete(before_offset=3)})
    await produce(kafka_bootstrap, topic, {0: range(1)})
    targets = await end_offsets(kafka_bootstrap, [topic])

    assert targets == {tp: 4}
    assert await lag_behind(kafka_bootstrap, unique_name("never-committed"), targets) == {tp: 1}


async def test_the_gauge_stops_when_cancelled_while_aiokafka_closes_a_client(
    kafka_bootstrap: str, new_topic: NewTopic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiokafka's close() swallows a cancellation that arrives while it awaits its own metadata
    task: the gauge must stop all the same (it once kept a service's shutdown waiting)."""
    topic = await new_topic("offsets")
    closing = asyncio.Event()
    close = AIOKafkaAdminClient.close

    async def signalling_close(admin: AIOKafkaAdminClient) -> None:
        closing.set()
        await close(admin)

    monkeypatch.setattr(AIOKafkaAdminClient, "close", signalling_close)
    watcher = asyncio.create_task(
        watch_consumer_lag(
            bootstrap=kafka_bootstrap, group_id=unique_name("lag"), topics=[topic],
            metrics=Metrics("lagstop"), interval=0.0,
        )
    )  # fmt: skip
    await closing.wait()
    await asyncio.sleep(0)  # inside close(), awaiting the task it cancelled
    watcher.cancel()

    with pytest.raises(asyncio.CancelledError):
        async with asyncio.timeout(10):
            await watcher
