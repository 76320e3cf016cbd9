"""`smsbus dlq`: list, read and replay the dead letters of `<topic>.<group>.dlq`.

A dead letter is the original record (value, key, headers) plus the reason headers the runtime
added (`dead_letter_headers`). Replaying publishes it again, as it was, to its original topic:
the group that failed handles it anew, and every other group of that topic skips it through its
inbox (same dedupe key). How far a DLQ has been replayed is the committed offset of one consumer
group of our own, so a replay never publishes a dead letter twice and `list` says what is left.

Replaying does not restore order: the event is handled after whatever came after it on its key
(a dead-lettered STOP replayed after a START opts the number out again). Read it first (`show`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from aiokafka.structs import ConsumerRecord

from smsbus.cli.replay import headers
from smsbus.cli.replay.pacing import Pacer
from smsbus.cli.topic_reader import (
    group_consumer,
    location,
    mark_done,
    partitions,
    pending,
    pending_spans,
    read_spans,
    republishing,
    total,
)
from smsbus.runtime.failures import FailedRecord, dead_letter_headers
from smsbus.runtime.kafka import stop_consumer

REPLAY_GROUP: Final = "smsbus-dlq-replay"
# What the runtime adds when it dead-letters a record (the names, from the function that writes
# them); the rest are the original record's headers.
REASON_HEADERS: Final = frozenset(
    dead_letter_headers(FailedRecord("topic", 0, 0, "group"), Exception(), attempts=1)
)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]
    where: str
    """`topic/partition/offset` of the dead letter."""

    @classmethod
    def of(cls, record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp,
            key=record.key,
            value=record.value or b"",
            headers=tuple(record.headers),
            where=location(record),
        )

    def header(self, name: str) -> str:
        return next((v.decode(errors="replace") for k, v in self.headers if k == name), "")

    @property
    def original_topic(self) -> str:
        return self.header("x-original-topic")

    def replay_headers(self, at: datetime) -> list[tuple[str, bytes]]:
        """The original record's headers, and where and when the replay came from."""
        kept = [(k, v) for k, v in self.headers if k not in REASON_HEADERS]
        return headers.replayed(kept, source=self.where, at=at)

    def summary(self) -> dict[str, Any]:
        return {
            "dlq": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "dead_lettered_at": datetime.fromtimestamp(self.timestamp_ms / 1000, UTC).isoformat(),
            "event_type": self.header("event-type"),
            "event_id": self.header("event-id"),
            "group": self.header("x-consumer-group"),
            "original": (
                f"{self.original_topic}/{self.header('x-original-partition')}"
                f"/{self.header('x-original-offset')}"
            ),
            "attempts": self.header("x-attempts"),
            "error_type": self.header("x-error-type"),
            "error": self.header("x-error-message"),
            "frame": self.header("x-error-frame"),
        }


@dataclass(frozen=True, slots=True)
class Backlog:
    topic: str
    total: int
    """Every dead letter still on the topic (retention permitting)."""
    pending: int
    """Not replayed yet."""


class UnknownOrigin(ValueError):
    """A record on a DLQ topic without the runtime's reason headers: not replayable."""


def check_dlq_name(topic: str) -> str:
    if not topic.endswith(".dlq"):
        raise ValueError(f"{topic!r} is not a dead-letter topic (<topic>.<group>.dlq)")
    return topic


async def backlogs(bootstrap: str, topics: Iterable[str]) -> list[Backlog]:
    consumer = group_consumer(bootstrap, REPLAY_GROUP)
    await consumer.start()
    try:
        result = []
        for topic in topics:
            parts = await partitions(bootstrap, topic)
            starts = await consumer.beginning_offsets(parts)
            ends = await consumer.end_offsets(parts)
            total = pending = 0
            for tp in parts:
                done = max(await consumer.committed(tp) or 0, starts[tp])
                total += ends[tp] - starts[tp]
                pending += ends[tp] - done
            result.append(Backlog(topic, total, pending))
        return result
    finally:
        await stop_consumer(consumer)


async def read(
    bootstrap: str, topic: str, *, limit: int | None = None, include_replayed: bool = False
) -> list[DeadLetter]:
    """The dead letters not replayed yet (or all of them), oldest first per partition; up to the
    end offsets of when it was called, so new arrivals never make it loop."""
    consumer = group_consumer(bootstrap, REPLAY_GROUP)
    await consumer.start()
    try:
        parts = await partitions(bootstrap, topic)
        records = pending(consumer, parts, limit=limit, from_beginning=include_replayed)
        return [DeadLetter.of(record) async for record in records]
    finally:
        await stop_consumer(consumer)


async def replay(
    bootstrap: str,
    topic: str,
    *,
    limit: int | None = None,
    dry_run: bool = False,
    pacer: Pacer | None = None,
    sized: Callable[[int], None] | None = None,
) -> AsyncIterator[DeadLetter]:
    """Publishes each pending dead letter to its original topic (acks=all), marks it replayed,
    and yields it (with `dry_run`, only yields it). `sized` hears how many are pending first."""
    async with republishing(bootstrap, REPLAY_GROUP, client_id="smsbus-dlq") as (
        consumer,
        producer,
    ):
        spans = await pending_spans(
            consumer, await partitions(bootstrap, topic), from_beginning=False
        )
        if sized is not None:
            sized(total(spans, limit))
        async for record in read_spans(consumer, spans, limit=limit):
            dead = DeadLetter.of(record)
            if not dead.original_topic:
                raise UnknownOrigin(f"{dead.where} has no x-original-topic header")
            if not dry_run:
                if pacer is not None and (delay := pacer.book(time.monotonic())):
                    await asyncio.sleep(delay)
                await producer.send_and_wait(
                    dead.original_topic,
                    dead.value,
                    key=dead.key,
                    headers=dead.replay_headers(datetime.now(UTC)),
                )
                # Marked after the broker has it: a crash in between replays it once more,
                # which the handlers' inboxes absorb.
                await mark_done(consumer, record)
            yield dead
