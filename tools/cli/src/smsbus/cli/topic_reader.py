"""Reading a topic from where one of our operator groups left off, up to where it ended.

The operator commands (`dlq replay`, `replay rejected`) keep their progress as the committed
offsets of a consumer group of their own: done is committed, the rest is pending.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata

from smsbus.runtime.offsets import topic_partitions

REPLAYED_FROM_HEADER: Final = "x-replayed-from"
"""On a record an operator command published again: `location()` of where it came from."""


def group_consumer(bootstrap: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)


@asynccontextmanager
async def republishing(
    bootstrap: str, group: str, *, client_id: str
) -> AsyncIterator[tuple[AIOKafkaConsumer, AIOKafkaProducer]]:
    """The group's consumer, and a producer as safe as the services' (acks=all, idempotent)."""
    consumer = group_consumer(bootstrap, group)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, client_id=client_id
    )
    await consumer.start()
    await producer.start()
    try:
        yield consumer, producer
    finally:
        await producer.stop()
        await consumer.stop()


def location(record: ConsumerRecord[bytes, bytes]) -> str:
    """`topic/partition/offset`: where a replayed record came from."""
    return f"{record.topic}/{record.partition}/{record.offset}"


async def pending(
    consumer: AIOKafkaConsumer,
    parts: list[TopicPartition],
    *,
    limit: int | None,
    from_beginning: bool,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """The records of `parts` after the group's committed offsets (or all of them), oldest first
    per partition, up to the end offsets of when it was called: new arrivals never make it loop."""
    consumer.assign(parts)
    starts = await consumer.beginning_offsets(parts)
    ends = await consumer.end_offsets(parts)
    remaining = set()
    for tp in parts:
        done = None if from_beginning else await consumer.committed(tp)
        position = max(done or 0, starts[tp])
        consumer.seek(tp, position)
        if position < ends[tp]:
            remaining.add(tp)
    count = 0
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000)
        for tp, records in sorted(batch.items(), key=lambda item: item[0].partition):
            for record in records:
                if record.offset >= ends[tp]:
                    break
                yield record
                count += 1
                if limit is not None and count >= limit:
                    return
        remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}


async def mark_done(consumer: AIOKafkaConsumer, record: ConsumerRecord[bytes, bytes]) -> None:
    position = TopicPartition(record.topic, record.partition)
    await consumer.commit({position: OffsetAndMetadata(record.offset + 1, "")})


async def partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions; ValueError if there is no such topic."""
    found = await topic_partitions(bootstrap, [topic])
    if not found:
        raise ValueError(f"there is no topic {topic!r}")
    return found
