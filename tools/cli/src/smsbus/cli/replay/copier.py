"""`smsbus replay … --to-topic T`: the broker side — resolve the window, read it, copy what the
selection picks (or only count it), keep the checkpoint.

A copy has the original's key, value (so its event id and dedupe key) and headers, plus
`x-replayed-*`; it is written acks=all by an idempotent producer with the services' partitioner.
The checkpoint is saved only once every copy before it is acknowledged: about once a second, and
on the way out (Ctrl-C included). A crash between an acknowledgement and the next save leaves
copies the checkpoint does not know; the next run finds them on the target (its records since
the saved end offsets whose `x-replayed-by` is this replay) and does not write them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

from smsbus.cli.replay import headers
from smsbus.cli.replay.checkpoint import Checkpoint, save
from smsbus.cli.replay.pacing import Pacer
from smsbus.cli.replay.progress import Reporter
from smsbus.cli.replay.selection import Selection, view
from smsbus.cli.replay.window import Span, millis, spans
from smsbus.cli.topic_reader import location, partitions, read_spans
from smsbus.runtime.kafka import MAX_RECORD_BYTES, stop_consumer
from smsbus.runtime.partitioning import key_partitioner

IN_FLIGHT = 200
"""Copies sent before waiting for their acknowledgements."""
SAVE_EVERY = 1.0
"""Seconds between checkpoint saves."""


def reader(bootstrap: str) -> AIOKafkaConsumer:
    """No consumer group: a replay moves nobody's offsets."""
    return AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)


async def resolve_window(
    bootstrap: str, topics: Iterable[str], since: datetime | None, until: datetime | None
) -> dict[TopicPartition, Span]:
    """Each partition's span, by the broker's offsets-for-times."""
    parts = [tp for topic in topics for tp in await partitions(bootstrap, topic)]
    consumer = reader(bootstrap)
    await consumer.start()
    try:
        beginnings = await consumer.beginning_offsets(parts)
        ends = await consumer.end_offsets(parts)

        async def offsets_at(moment: datetime | None) -> dict[TopicPartition, int | None] | None:
            if moment is None:
                return None
            found = await consumer.offsets_for_times({tp: millis(moment) for tp in parts})
            return {tp: (hit.offset if (hit := found.get(tp)) else None) for tp in parts}

        at_since, at_until = await offsets_at(since), await offsets_at(until)
    finally:
        await stop_consumer(consumer)
    resolved = spans(beginnings=beginnings, ends=ends, at_since=at_since, at_until=at_until)
    return {TopicPartition(*part): span for part, span in resolved.items()}


async def count(
    bootstrap: str, checkpoint: Checkpoint, selection: Selection, report: Reporter
) -> Checkpoint:
    """`--dry-run`: what a copy would write, by type and partition; nothing is written."""
    consumer = reader(bootstrap)
    await consumer.start()
    try:
        async for record in read_spans(consumer, _spans(checkpoint)):
            chosen = _chosen(record, selection)
            checkpoint.record((record.topic, record.partition), record.offset, chosen)
            report.advance(written=int(chosen is not None))
    finally:
        await stop_consumer(consumer)
    return checkpoint


@dataclass
class Copy:
    bootstrap: str
    checkpoint: Checkpoint
    path: Path
    selection: Selection
    to_topic: str
    pacer: Pacer
    clock: Callable[[], datetime]

    async def run(self, report: Reporter) -> Checkpoint:
        targets = await partitions(self.bootstrap, self.to_topic)
        # The target's end offsets come from a client of their own: asked of the reading
        # consumer, each answer waits for its fetch in progress (half a second).
        consumer, offsets, producer = (
            reader(self.bootstrap),
            reader(self.bootstrap),
            self._producer(),
        )
        sent: list[asyncio.Future[object]] = []
        async with contextlib.AsyncExitStack() as running:
            for client in (consumer, offsets, producer):
                await client.start()
                running.push_async_callback(client.stop)
            done_before = await self._copied_since_save(consumer, offsets, targets)
            try:
                last_save = time.monotonic()
                async for record in read_spans(consumer, _spans(self.checkpoint)):
                    chosen = _chosen(record, self.selection)
                    if chosen is not None and location(record) not in done_before:
                        sent.append(await self._send(producer, record))
                    self.checkpoint.record((record.topic, record.partition), record.offset, chosen)
                    report.advance(written=int(chosen is not None))
                    if len(sent) >= IN_FLIGHT or time.monotonic() - last_save >= SAVE_EVERY:
                        await self._save(offsets, targets, sent)
                        last_save = time.monotonic()
                self.checkpoint.finished = True
                await self._save(offsets, targets, sent)
            except BaseException:
                # Ctrl-C (cancellation) or a failure: keep what the broker acknowledged.
                with contextlib.suppress(Exception):
                    await self._save(offsets, targets, sent)
                raise
        return self.checkpoint

    def _producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=True,
            partitioner=key_partitioner,
            max_request_size=MAX_RECORD_BYTES,
            max_batch_size=256 * 1024,
            linger_ms=5,
            client_id="smsbus-replay",
        )

    async def _send(
        self, producer: AIOKafkaProducer, record: ConsumerRecord[bytes, bytes]
    ) -> asyncio.Future[object]:
        if delay := self.pacer.book(time.monotonic()):
            await asyncio.sleep(delay)
        marked = headers.replayed(
            record.headers,
            source=location(record),
            at=self.clock(),
            by=self.checkpoint.replay_id,
            timestamp_ms=record.timestamp,
        )
        # A fresh timestamp: an old one would put the copy past the target's retention at once.
        ack: asyncio.Future[object] = await producer.send(
            self.to_topic, record.value, key=record.key, headers=marked
        )
        return ack

    async def _save(
        self,
        offsets: AIOKafkaConsumer,
        targets: list[TopicPartition],
        sent: list[asyncio.Future[object]],
    ) -> None:
        """Waits for every copy sent so far, then records where the target ends and saves."""
        if sent:
            # Not gather(): cancelled (Ctrl-C), it would cancel the acknowledgements it waits for,
            # and the save on the way out could not wait for them.
            await asyncio.wait(sent)
            for ack in sent:
                ack.result()  # a copy the broker refused: no save past it
        sent.clear()
        ends = await offsets.end_offsets(targets)
        self.checkpoint.target_ends = {tp.partition: offset for tp, offset in ends.items()}
        save(self.path, self.checkpoint)

    async def _copied_since_save(
        self, consumer: AIOKafkaConsumer, offsets: AIOKafkaConsumer, targets: list[TopicPartition]
    ) -> set[str]:
        """Sources of this replay's copies on the target after its last save (a crash lost
        their checkpoint): they are not written again."""
        ends = await offsets.end_offsets(targets)
        marks = self.checkpoint.target_ends
        after = {tp: Span(marks.get(tp.partition, 0), ends[tp]) for tp in targets}
        found = set()
        async for record in read_spans(consumer, {tp: s for tp, s in after.items() if s.size}):
            if headers.header(record.headers, headers.BY) == self.checkpoint.replay_id:
                found.add(headers.header(record.headers, headers.FROM) or "")
        return found


def _spans(checkpoint: Checkpoint) -> dict[TopicPartition, Span]:
    return {TopicPartition(*part): span for part, span in checkpoint.remaining().items()}


def _chosen(record: ConsumerRecord[bytes, bytes], selection: Selection) -> str | None:
    """The record's event type when the selection picks it, else None."""
    seen = view(record.key, record.value, record.headers)
    return seen.event_type if selection.matches(seen) else None
