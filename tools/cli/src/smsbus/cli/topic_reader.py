"""Reading a topic from where one of our operator groups left off, up to where it ended.

The operator commands (`dlq replay`, `replay rejected`) keep their progress as the committed
offsets of a consumer group of their own: done is committed, the rest is pending. `smsbus
replay` reads a window of offsets the same way (`read_spans`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord, OffsetAndMetadata

from smsbus.cli.replay.window import Span
from smsbus.runtime.kafka import stop_consumer
from smsbus.runtime.offsets import topic_partitions


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
        await stop_consumer(consumer)


def location(record: ConsumerRecord[bytes, bytes]) -> str:
    """`topic/partition/offset`: where a replayed record came from."""
    return f"{record.topic}/{record.partition}/{record.offset}"


async def pending_spans(
    consumer: AIOKafkaConsumer, parts: list[TopicPartition], *, from_beginning: bool
) -> dict[TopicPartition, Span]:
    """For each partition: from the group's committed offset (or the beginning) to its end now,
    so that records arriving meanwhile never make a reader loop."""
    consumer.assign(parts)
    starts = await consumer.beginning_offsets(parts)
    ends = await consumer.end_offsets(parts)
    found = {}
    for tp in parts:
        done = None if from_beginning else await consumer.committed(tp)
        found[tp] = Span(min(max(done or 0, starts[tp]), ends[tp]), ends[tp])
    return found


def total(spans: Mapping[TopicPartition, Span], limit: int | None = None) -> int:
    size = sum(span.size for span in spans.values())
    return size if limit is None else min(size, limit)


async def read_spans(
    consumer: AIOKafkaConsumer,
    spans: Mapping[TopicPartition, Span],
    *,
    limit: int | None = None,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """The records of each span `[start, end)`, in offset order per partition."""
    if not any(span.size for span in spans.values()):
        return  # (and no empty assignment: aiokafka's stop() then raises CancelledError)
    if consumer.assignment() != set(spans):
        # a second assign() of the same partitions races aiokafka's coordinator, which then
        # fails the consumer's stop() (an AssertionError on an inactive assignment)
        consumer.assign(list(spans))
    remaining = set()
    for tp, span in spans.items():
        consumer.seek(tp, span.start)
        if span.size:
            remaining.add(tp)
    count = 0
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000)
        for tp, records in sorted(batch.items(), key=lambda item: item[0]):
            for record in records:
                if record.offset >= spans[tp].end:
                    break
                yield record
                count += 1
                if limit is not None and count >= limit:
                    return
        remaining = {tp for tp in remaining if await consumer.position(tp) < spans[tp].end}


async def pending(
    consumer: AIOKafkaConsumer,
    parts: list[TopicPartition],
    *,
    limit: int | None,
    from_beginning: bool,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """The records of `parts` after the group's committed offsets (or all of them), oldest first
    per partition, up to the end offsets of when it was called."""
    spans = await pending_spans(consumer, parts, from_beginning=from_beginning)
    async for record in read_spans(consumer, spans, limit=limit):
        yield record


async def mark_done(consumer: AIOKafkaConsumer, record: ConsumerRecord[bytes, bytes]) -> None:
    position = TopicPartition(record.topic, record.partition)
    await consumer.commit({position: OffsetAndMetadata(record.offset + 1, "")})


async def partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions; ValueError if there is no such topic."""
    found = await topic_partitions(bootstrap, [topic])
    if not found:
        raise ValueError(f"there is no topic {topic!r}")
    return found
