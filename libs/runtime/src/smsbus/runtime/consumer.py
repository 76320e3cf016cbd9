"""The one way a service consumes a topic: `subscribe(broker, topic=, group_id=, handler=)`.

- A consumer group, reading from the earliest offset when the group has none.
- At-least-once: the offset of an event is committed only after it was handled or dead-lettered.
- The handler gets a decoded `Envelope`; failures are classified in failures.py:
  - transient: the partition is paused and rewound to the event, and the event is retried after
    an exponential backoff with jitter. Later events of the partition wait (per-key order
    holds); other partitions flow; `Stalls` makes `/readyz` report it.
  - poison (undecodable, invalid, a bug): the original record goes at once to
    `<topic>.<group>.dlq` with the reason headers, and the partition flows on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from smsbus.contracts import Envelope, decode_event, dlq_topic
from smsbus.runtime.failures import (
    Backoff,
    FailedRecord,
    Fault,
    classify,
    dead_letter_headers,
    error_message,
    error_type,
)
from smsbus.runtime.kafka import HEADER_CORRELATION_ID, HEADER_EVENT_ID
from smsbus.runtime.logging import log_context
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.stalls import Stalls

logger = logging.getLogger(__name__)

Handler = Callable[[Envelope[Any]], Awaitable[None]]
Decoder = Callable[[bytes], Envelope[Any]]


class _Runner:
    """Handles one record at a time for one subscription and decides what happens to it."""

    def __init__(
        self,
        *,
        broker: KafkaBroker,
        group_id: str,
        handler: Handler,
        decode: Decoder,
        backoff: Backoff,
        stalls: Stalls,
        metrics: Metrics | None,
    ) -> None:
        self.broker = broker
        self.group_id = group_id
        self.handler = handler
        self.decode = decode
        self.backoff = backoff
        self.stalls = stalls
        self.metrics = metrics
        self.attempts: dict[tuple[TopicPartition, int], int] = {}

    async def process(self, record: ConsumerRecord[Any, Any], consumer: AIOKafkaConsumer) -> None:
        tp = TopicPartition(record.topic, record.partition)
        attempt = self.attempts.get((tp, record.offset), 0) + 1
        headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or ()}
        with log_context(
            event_id=headers.get(HEADER_EVENT_ID), correlation_id=headers.get(HEADER_CORRELATION_ID)
        ):
            started = time.perf_counter()
            try:
                envelope = self.decode(record.value or b"")
                await self.handler(envelope)
            except Exception as exc:
                if classify(exc) is Fault.TRANSIENT:
                    self._retry_later(consumer, record, tp, attempt, exc)
                    return
                try:
                    await self._dead_letter(record, headers, exc, attempt)
                except Exception as dlq_exc:
                    logger.error("could not dead-letter %s", _where(record), exc_info=dlq_exc)
                    self._retry_later(consumer, record, tp, attempt, dlq_exc)
                    return
                outcome = "dead_lettered"
            else:
                outcome = "handled"
            finally:
                if self.metrics:
                    self.metrics.event_handling.labels(topic=record.topic).observe(
                        time.perf_counter() - started
                    )
        self.attempts.pop((tp, record.offset), None)
        self.stalls.clear(group_id=self.group_id, topic=record.topic, partition=record.partition)
        self._count(record.topic, outcome)
        try:
            await consumer.commit({tp: record.offset + 1})
        except Exception as exc:
            # Already handled; the event comes back after a rebalance and the inbox drops it.
            logger.warning("commit failed after %s: %s", _where(record), exc, exc_info=exc)

    def _retry_later(
        self,
        consumer: AIOKafkaConsumer,
        record: ConsumerRecord[Any, Any],
        tp: TopicPartition,
        attempt: int,
        exc: BaseException,
    ) -> None:
        self.attempts[(tp, record.offset)] = attempt
        delay = self.backoff.delay(attempt)
        consumer.seek(tp, record.offset)
        consumer.pause(tp)
        asyncio.get_running_loop().call_later(delay, _resume, consumer, tp)
        self.stalls.stall(
            group_id=self.group_id,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            attempts=attempt,
            error=f"{type(exc).__name__}: {error_message(exc, limit=200)}",
        )
        self._count(record.topic, "retried")
        logger.warning(
            "transient failure on %s (attempt %d), partition paused, retrying in %.2fs",
            _where(record),
            attempt,
            delay,
            exc_info=exc,
        )

    async def _dead_letter(
        self,
        record: ConsumerRecord[Any, Any],
        headers: dict[str, str],
        exc: BaseException,
        attempt: int,
    ) -> None:
        origin = FailedRecord(record.topic, record.partition, record.offset, self.group_id)
        target = dlq_topic(record.topic, self.group_id)
        logger.error("poison event on %s, sent to %s", _where(record), target, exc_info=exc)
        await self.broker.publish(
            record.value,
            topic=target,
            key=record.key,
            headers=headers | dead_letter_headers(origin, exc, attempt),
            correlation_id=headers.get(HEADER_CORRELATION_ID),
        )
        if self.metrics:
            self.metrics.dead_letters.labels(topic=record.topic, error=error_type(exc)).inc()

    def _count(self, topic: str, outcome: str) -> None:
        if self.metrics:
            self.metrics.events_handled.labels(topic=topic, outcome=outcome).inc()
            self.metrics.partitions_paused.set(len(self.stalls))


def _where(record: ConsumerRecord[Any, Any]) -> str:
    return f"{record.topic}[{record.partition}]@{record.offset}"


def _resume(consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
    if tp in consumer.assignment():
        consumer.resume(tp)


class _ForgetRevoked(ConsumerRebalanceListener):  # type: ignore[misc]
    """A revoked partition is no longer ours to report or retry."""

    def __init__(self, runner: _Runner) -> None:
        self._runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        for tp in revoked:
            self._runner.stalls.clear(
                group_id=self._runner.group_id, topic=tp.topic, partition=tp.partition
            )
        self._runner.attempts = {
            key: n for key, n in self._runner.attempts.items() if key[0] not in revoked
        }

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


def subscribe(
    broker: KafkaBroker,
    *,
    topic: str,
    group_id: str,
    handler: Handler,
    decode: Decoder = decode_event,
    backoff: Backoff | None = None,
    stalls: Stalls | None = None,
    metrics: Metrics | None = None,
    **options: Any,
) -> Any:
    """Registers `handler` for `topic` in consumer group `group_id`; returns the subscriber."""
    runner = _Runner(
        broker=broker,
        group_id=group_id,
        handler=handler,
        decode=decode,
        backoff=backoff or Backoff(),
        stalls=stalls if stalls is not None else Stalls(),
        metrics=metrics,
    )
    subscriber = broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        listener=_ForgetRevoked(runner),
        **options,
    )

    async def consume(message: KafkaMessage) -> None:
        record = message.raw_message
        if not isinstance(record, ConsumerRecord) or not isinstance(
            message.consumer, AIOKafkaConsumer
        ):
            raise TypeError(f"subscribe() handles single Kafka records, got {type(record)}")
        await runner.process(record, message.consumer)

    consume.__name__ = f"consume_{topic.replace('.', '_').replace('-', '_')}"
    subscriber(consume)
    return subscriber
