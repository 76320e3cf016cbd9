"""The one way a service consumes its topics: `Consumer(...).run()` in the lifespan.

- One consumer-group member for the service's topics, reading from the earliest offset when
  the group has none; offsets are committed only for records handled or dead-lettered
  (at-least-once; the inbox makes redelivery harmless).
- A worker per partition takes what its partition has ready (up to `max_records`, after at
  most `max_wait`) and hands it to `BatchHandling` (batches.py): one transaction, one inbox
  row per event, the outbox in one insert. Partitions run concurrently; within one, batches
  run in offset order, so per-key order holds.
- Offsets are committed by a task of their own after each batch's transaction: the next batch
  never waits for a commit.
- A transient fault retries the same batch in place after an exponential backoff with jitter;
  the partition's later records wait (buffered up to `queue_limit`, then the partition is
  paused at the broker); other partitions flow; `Stalls` makes `/readyz` report it.
- On a rebalance the revoked partitions' workers stop, their finished offsets are committed,
  and their buffered records are dropped (the new owner reads them from the committed offset).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker

from smsbus.contracts import decode_event
from smsbus.runtime.batches import BatchHandling, Decoder, Outcome, Record
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff, error_message
from smsbus.runtime.kafka import KAFKA_BACKOFF
from smsbus.runtime.loops import stop_if_cancelled, until_done
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.readiness import Check, NotReadyError
from smsbus.runtime.routes import Routes, check_routes
from smsbus.runtime.settings import ServiceSettings
from smsbus.runtime.stalls import Stalls

logger = logging.getLogger(__name__)

COMMIT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class BatchLimits:
    max_records: int = 500
    """Records of one partition handled in one transaction."""
    max_wait: float = 0.0
    """Seconds a worker waits for more records before a short batch (0: take what is ready)."""
    queue_limit: int = 2000
    """Records buffered per partition before it is paused at the broker."""


def batch_limits(settings: ServiceSettings) -> BatchLimits:
    return BatchLimits(
        max_records=settings.consumer_batch_records,
        max_wait=settings.consumer_batch_wait_ms / 1000,
    )


@dataclass(eq=False, slots=True)
class _Partition:
    tp: TopicPartition
    queue: deque[Record] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    paused: bool = False
    worker: asyncio.Task[None] | None = None


class Consumer:
    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        topics: Sequence[str],
        routes: Routes,
        sessions: Sessions,
        broker: KafkaBroker,
        stalls: Stalls | None = None,
        metrics: Metrics | None = None,
        limits: BatchLimits | None = None,
        backoff: Backoff | None = None,
        decode: Decoder = decode_event,
        client_id: str | None = None,
    ) -> None:
        check_routes(routes)
        self.group_id = group_id
        self.topics = list(topics)
        self.stalls = stalls if stalls is not None else Stalls()
        self._bootstrap = bootstrap
        self._client_id = client_id or group_id
        self._limits = limits or BatchLimits()
        self._backoff = backoff or Backoff()
        self._metrics = metrics
        self._handling = BatchHandling(
            broker=broker,
            sessions=sessions,
            group_id=group_id,
            routes=routes,
            decode=decode,
            metrics=metrics,
        )
        self._partitions: dict[TopicPartition, _Partition] = {}
        self._finished: dict[TopicPartition, int] = {}
        self._commit_wanted = asyncio.Event()
        self._kafka: AIOKafkaConsumer | None = None
        self._joined = False

    def check(self) -> Check:
        """Readiness: the group has given this member its partitions (none is fine, with more
        members than partitions), and no partition is stalled on a transient fault."""
        stalled = self.stalls.check()

        async def check() -> None:
            if not self._joined:
                raise NotReadyError(f"not a member of consumer group {self.group_id} yet")
            await stalled()

        return check

    async def run(self) -> None:
        """Consumes until cancelled; waits (with backoff) while Kafka is away at start."""
        kafka = await self._start()
        committer = asyncio.create_task(self._commit_loop(kafka), name=f"{self.group_id}-commits")
        try:
            await self._fetch_loop(kafka)
        finally:
            committer.cancel()
            await self._stop_workers(list(self._partitions))
            with contextlib.suppress(Exception):
                await self._commit(kafka, dict(self._finished))
            with contextlib.suppress(Exception):
                async with asyncio.timeout(30):
                    await kafka.stop()
            self._kafka = None
            self._joined = False

    async def _start(self) -> AIOKafkaConsumer:
        kafka = await until_done(
            self._connect, name=f"{self.group_id}: connecting to Kafka", backoff=KAFKA_BACKOFF
        )
        self._kafka = kafka
        return kafka

    async def _connect(self) -> AIOKafkaConsumer:
        kafka = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self.group_id,
            client_id=self._client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        kafka.subscribe(self.topics, listener=_OnRebalance(self))
        try:
            await kafka.start()
        except BaseException:
            await kafka.stop()
            raise
        return kafka

    async def _fetch_loop(self, kafka: AIOKafkaConsumer) -> None:
        while True:
            stop_if_cancelled()  # as in repeat: one that aiokafka swallowed still stops it
            try:
                fetched = await kafka.getmany(timeout_ms=1000)
            except KafkaError as exc:
                logger.warning("fetch failed: %s", error_message(exc, limit=200))
                await asyncio.sleep(1.0)
                continue
            for tp, records in fetched.items():
                part = self._partitions.get(tp) or self._open(tp)
                part.queue.extend(records)
                part.ready.set()
                if len(part.queue) >= self._limits.queue_limit and not part.paused:
                    kafka.pause(tp)
                    part.paused = True

    def _open(self, tp: TopicPartition) -> _Partition:
        part = _Partition(tp)
        part.worker = asyncio.create_task(self._work(part), name=f"{self.group_id}-{tp}")
        self._partitions[tp] = part
        return part

    async def _work(self, part: _Partition) -> None:
        limits = self._limits
        while True:
            if not part.queue:
                part.ready.clear()
                await part.ready.wait()
            if limits.max_wait and len(part.queue) < limits.max_records:
                await asyncio.sleep(limits.max_wait)
            records = list(islice(part.queue, limits.max_records))
            await self._handle_until_done(part.tp, records)
            for _ in records:
                part.queue.popleft()
            self._finished[part.tp] = records[-1].offset + 1
            self._commit_wanted.set()
            if part.paused and len(part.queue) <= limits.queue_limit // 2:
                part.paused = False
                if self._kafka is not None and part.tp in self._kafka.assignment():
                    self._kafka.resume(part.tp)

    async def _handle_until_done(self, tp: TopicPartition, records: list[Record]) -> None:
        attempt = 1
        while True:
            started = time.perf_counter()
            try:
                outcome = await self._handling.handle(records, attempt=attempt)
            except Exception as exc:
                # Transient (or the dead-letter topic could not be written): the same records
                # again after a pause; what already committed is skipped by the inbox.
                delay = self._backoff.delay(attempt)
                self.stalls.stall(
                    group_id=self.group_id,
                    topic=tp.topic,
                    partition=tp.partition,
                    offset=records[0].offset,
                    attempts=attempt,
                    error=f"{type(exc).__name__}: {error_message(exc, limit=200)}",
                )
                self._count(tp.topic, "retried", len(records))
                logger.warning(
                    "transient failure on %s[%d]@%d (%d records, attempt %d), retrying in %.2fs",
                    tp.topic,
                    tp.partition,
                    records[0].offset,
                    len(records),
                    attempt,
                    delay,
                    exc_info=exc,
                )
                attempt += 1
                await asyncio.sleep(delay)
                continue
            self.stalls.clear(group_id=self.group_id, topic=tp.topic, partition=tp.partition)
            self._observe(tp.topic, outcome, time.perf_counter() - started)
            return

    async def _commit_loop(self, kafka: AIOKafkaConsumer) -> None:
        while True:
            await self._commit_wanted.wait()
            self._commit_wanted.clear()
            offsets, self._finished = self._finished, {}
            try:
                await self._commit(kafka, offsets)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Handled already: a later commit covers it, or a redelivery meets the inbox.
                logger.warning("offset commit failed: %s", error_message(exc, limit=200))
                for tp, offset in offsets.items():
                    self._finished.setdefault(tp, offset)
                await asyncio.sleep(1.0)
                self._commit_wanted.set()

    async def _commit(self, kafka: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        mine = {tp: offset for tp, offset in offsets.items() if tp in kafka.assignment()}
        if mine:
            # aiokafka retries a commit for as long as its error is retriable (a topic deleted
            # under it, a rebalance): bounded, so a revocation or a shutdown cannot hang on it.
            async with asyncio.timeout(COMMIT_TIMEOUT):
                await kafka.commit(mine)

    def on_assigned(self) -> None:
        self._joined = True

    async def on_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._stop_workers(revoked)
        finished = {tp: self._finished.pop(tp) for tp in revoked if tp in self._finished}
        if self._kafka is not None and finished:
            try:
                await self._commit(self._kafka, finished)
            except Exception as exc:
                logger.warning("commit on revocation failed: %s", error_message(exc, limit=200))
        for tp in revoked:
            self.stalls.clear(group_id=self.group_id, topic=tp.topic, partition=tp.partition)

    async def _stop_workers(self, tps: list[TopicPartition]) -> None:
        parts = [part for tp in tps if (part := self._partitions.pop(tp, None)) is not None]
        for part in parts:
            if part.worker is not None:
                part.worker.cancel()
        for part in parts:
            if part.worker is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await part.worker

    def _observe(self, topic: str, outcome: Outcome, seconds: float) -> None:
        if self._metrics is None:
            return
        self._metrics.event_handling.labels(topic=topic).observe(seconds)
        self._count(topic, "handled", outcome.handled)
        self._count(topic, "dead_lettered", outcome.dead_lettered)
        self._count(topic, "skipped", outcome.skipped)

    def _count(self, topic: str, outcome: str, records: int) -> None:
        if self._metrics is None:
            return
        if records:
            self._metrics.events_handled.labels(topic=topic, outcome=outcome).inc(records)
        self._metrics.partitions_paused.set(len(self.stalls))


class _OnRebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, consumer: Consumer) -> None:
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._consumer.on_revoked(list(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self._consumer.on_assigned()
