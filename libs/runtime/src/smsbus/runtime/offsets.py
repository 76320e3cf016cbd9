"""What Kafka's offsets say: a topic's partitions, how many records a topic holds, how far a
consumer group is behind (its lag), and a loop that keeps a lag gauge current; and setting a
group's committed offsets (a replay's rewind, a test's starting point).

The lag is measured from the broker (end offsets minus the group's committed offsets), not from
inside the consumer, so a consumer that silently stopped reading still shows a growing lag.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata

from smsbus.runtime.kafka import stop_consumer
from smsbus.runtime.loops import repeat
from smsbus.runtime.metrics import Metrics


@asynccontextmanager
async def _admin(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="smsbus-offsets")
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def _offset_reader(bootstrap: str) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="smsbus-offsets"
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        await stop_consumer(consumer)


async def topic_partitions(bootstrap: str, topics: Iterable[str]) -> list[TopicPartition]:
    """The partitions of those of `topics` that exist, sorted."""
    async with _admin(bootstrap) as admin:
        described = await admin.describe_topics(sorted(set(topics)))
    return sorted(
        TopicPartition(found["topic"], partition["partition"])
        for found in described
        if found["error_code"] == 0
        for partition in found["partitions"]
    )


async def topic_size(bootstrap: str, topic: str) -> int:
    """Records between the beginning and the end of every partition of `topic` (0 if none)."""
    tps = await topic_partitions(bootstrap, [topic])
    if not tps:
        return 0
    async with _offset_reader(bootstrap) as consumer:
        start = await consumer.beginning_offsets(tps)
        end = await consumer.end_offsets(tps)
    return sum(end[tp] - start[tp] for tp in tps)


async def end_offsets(bootstrap: str, topics: Iterable[str]) -> dict[TopicPartition, int]:
    """Where every partition of those of `topics` that exist ends now."""
    tps = await topic_partitions(bootstrap, topics)
    if not tps:
        return {}
    async with _offset_reader(bootstrap) as consumer:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(tps)
    return ends


async def committed_offsets(
    bootstrap: str, group_id: str, tps: Iterable[TopicPartition]
) -> dict[TopicPartition, int]:
    """The group's committed offsets of those partitions it has committed at all."""
    async with _admin(bootstrap) as admin:
        found = await admin.list_consumer_group_offsets(group_id, partitions=list(tps))
    return {tp: mark.offset for tp, mark in found.items() if mark.offset >= 0}


async def commit_offsets(bootstrap: str, group_id: str, offsets: dict[TopicPartition, int]) -> None:
    """Commits `offsets` for the group as a member that then leaves. Only while no member of the
    group runs: a live member would commit over them without noticing."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(list(offsets))
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in offsets.items()})
    finally:
        await stop_consumer(consumer)


async def lag_behind(
    bootstrap: str, group_id: str, targets: dict[TopicPartition, int]
) -> dict[TopicPartition, int]:
    """Records between the group's committed offsets and `targets` (end offsets taken earlier,
    say), per partition; 0 everywhere means the group has read up to them.

    A partition the group never committed counts from its beginning offset: the services read
    from the earliest offset when their group has none (and records deleted by retention are
    no one's lag).
    """
    if not targets:
        return {}
    committed = await committed_offsets(bootstrap, group_id, targets)
    async with _offset_reader(bootstrap) as consumer:
        start = await consumer.beginning_offsets(list(targets))
    return {
        tp: max(target - max(committed.get(tp, -1), start[tp]), 0) for tp, target in targets.items()
    }


async def group_lag(
    bootstrap: str, group_id: str, topics: Iterable[str]
) -> dict[TopicPartition, int]:
    """Records of `topics` the group has not committed yet, per partition."""
    return await lag_behind(bootstrap, group_id, await end_offsets(bootstrap, topics))


def lag_by_topic(lag: dict[TopicPartition, int]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for tp, behind in lag.items():
        totals[tp.topic] = totals.get(tp.topic, 0) + behind
    return totals


async def watch_consumer_lag(
    *, bootstrap: str, group_id: str, topics: Iterable[str], metrics: Metrics, interval: float
) -> None:
    """Keeps `smsbus_<service>_consumer_lag_records{topic}` current until cancelled."""
    names = sorted(set(topics))

    async def measure() -> None:
        totals = lag_by_topic(await group_lag(bootstrap, group_id, names))
        for topic in names:
            metrics.consumer_lag.labels(topic=topic).set(totals.get(topic, 0))

    # While Kafka is away the gauge keeps its last value; the consumer's /readyz says why.
    await repeat(measure, name=f"measuring the lag of {group_id}", interval=interval)


async def watch_dead_letters(
    *, bootstrap: str, topics: Iterable[str], metrics: Metrics, interval: float
) -> None:
    """Keeps `smsbus_<service>_dlq_messages{topic}` current until cancelled (alerts on it)."""
    names = sorted(set(topics))

    async def measure() -> None:
        # Every topic is measured even when one cannot be; the first failure is then reported.
        failure: Exception | None = None
        for topic in names:
            try:
                metrics.dlq_size.labels(topic=topic).set(await topic_size(bootstrap, topic))
            except Exception as exc:
                failure = failure or exc
        if failure is not None:
            raise failure

    await repeat(measure, name="measuring the dead-letter topics", interval=interval)
