"""Kafka as the tests drive it: produce records, read a group's offsets (smsbus.runtime.offsets
commits them), read what a topic holds, an admin client for one question (plain aiokafka clients,
each stopped after its one job); a sample `contact.updated` event and a runtime `Consumer` of one
topic to handle it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import Contact, Envelope, make_envelope
from smsbus.runtime.consumer import Consumer
from smsbus.runtime.db import make_sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.kafka import stop_consumer

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FAST = Backoff(initial=0.05, factor=2.0, maximum=0.3)
"""A retry backoff short enough for a test to wait through."""


def contact_event(
    n: int,
    *,
    first_name: str | None = None,
    contact_id: str = "CT1",
    event_id: str | None = None,
    source: str = "runtime-tests",
    at: datetime = FIXED,
    correlation_id: str | None = "corr-1",
) -> Envelope[Contact]:
    """`contact.updated` number n about one contact (the partition key is the contact id), its
    first name `v<n>` unless given."""
    return make_envelope(
        Contact(id=contact_id, created_at=at, first_name=first_name or f"v{n}"),
        event_type="contact.updated",
        event_id=event_id or f"EV{n:04d}-{contact_id}",
        object_id=f"{contact_id}-{n}",
        source=source,
        occurred_at=at,
        recorded_at=at,
        correlation_id=correlation_id,
    )


def topic_consumer(
    *,
    bootstrap: str,
    group: str,
    topic: str,
    routes: Mapping[str, Any],
    engine: AsyncEngine,
    broker: KafkaBroker,
    **options: Any,
) -> Consumer:
    """The runtime's Consumer of one topic for `group`, in sessions of `engine`."""
    return Consumer(
        bootstrap=bootstrap,
        group_id=group,
        topics=[topic],
        routes=dict(routes),
        sessions=make_sessions(engine),
        broker=broker,
        **options,
    )


async def produce(
    bootstrap: str,
    topic: str,
    per_partition: Mapping[int, Iterable[int]],
    *,
    timestamp_ms: Callable[[int], int | None] = lambda _: None,
) -> None:
    """For each partition, one record per number n, valued `str(n)`, stamped `timestamp_ms(n)`."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for partition, numbers in per_partition.items():
            for n in numbers:
                await producer.send_and_wait(
                    topic, f"{n}".encode(), partition=partition, timestamp_ms=timestamp_ms(n)
                )
    finally:
        await producer.stop()


@asynccontextmanager
async def kafka_admin(bootstrap: str) -> AsyncIterator[AIOKafkaAdminClient]:
    """`async with kafka_admin(bootstrap) as admin:` a started admin client, closed after."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def committed_offsets(
    bootstrap: str, group: str, parts: Iterable[TopicPartition]
) -> list[int | None]:
    """What `group` has committed on each of `parts` (None: nothing)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        return [await consumer.committed(tp) for tp in parts]
    finally:
        await stop_consumer(consumer)


async def read_partition(
    bootstrap: str, topic: str, *, wait: float, count: int | None = None
) -> list[ConsumerRecord[bytes, bytes]]:
    """Partition 0 of `topic` from its beginning: what arrives within `wait` seconds, or sooner
    once `count` records are in."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.seek_to_beginning()
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = asyncio.get_running_loop().time() + wait
        while (count is None or len(records) < count) and (
            asyncio.get_running_loop().time() < deadline
        ):
            for part in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(part)
        return records
    finally:
        await stop_consumer(consumer)
