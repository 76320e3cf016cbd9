"""The Kafka side every service shares: the broker factory, routed publishing, topic admin.

`publish_event` routes with the contracts registry (topic + partition key) and returns only
after the broker acknowledged the write (acks=all, idempotent producer).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError, for_code
from aiokafka.structs import RecordMetadata
from faststream.kafka import KafkaBroker

from smsbus.contracts import Envelope, encode_event, partition_key, route_for
from smsbus.runtime.failures import Backoff, error_message
from smsbus.runtime.loops import until_done
from smsbus.runtime.partitioning import key_partitioner

logger = logging.getLogger(__name__)

HEADER_EVENT_TYPE = "event-type"
HEADER_EVENT_ID = "event-id"
HEADER_CORRELATION_ID = "correlation-id"

# Ingest accepts 1 MiB webhook bodies; an event carrying one (or a quarantined non-UTF-8 body,
# base64 and so 4/3 larger) must still fit in a record. deploy/kafka sets message.max.bytes to
# match.
MAX_RECORD_BYTES = 2 * 1024 * 1024


def make_broker(bootstrap: str, *, client_id: str, **options: Any) -> KafkaBroker:
    """A FastStream broker whose producer waits for all in-sync replicas and never duplicates,
    and partitions by key as Kafka does (`partitioning.py`).

    Topics are never created implicitly: they come from the registry (`ensure_topics`).
    """
    options.setdefault("graceful_timeout", 15.0)
    options.setdefault("max_request_size", MAX_RECORD_BYTES)
    options.setdefault("partitioner", key_partitioner)
    return KafkaBroker(
        # FastStream takes a string as ONE address; aiokafka itself splits "b1:9092,b2:9092".
        [server.strip() for server in bootstrap.split(",") if server.strip()],
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        allow_auto_create_topics=False,
        logger=logging.getLogger(f"smsbus.{client_id}.broker"),
        **options,
    )


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    """An event as it goes on the wire: where, with which key, the bytes, the headers."""

    topic: str
    key: bytes | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)


def event_headers(envelope: Envelope[Any]) -> dict[str, str]:
    headers = {HEADER_EVENT_TYPE: envelope.type, HEADER_EVENT_ID: str(envelope.event_id)}
    if envelope.correlation_id:
        headers[HEADER_CORRELATION_ID] = str(envelope.correlation_id)
    return headers


def _as_key(key: str | bytes | None) -> bytes | None:
    return key.encode() if isinstance(key, str) else key


def outgoing(
    envelope: Envelope[Any], *, topic: str | None = None, key: str | bytes | None = None
) -> OutgoingRecord:
    """Routes an envelope with the registry; `topic`/`key` override it (tests, replays)."""
    return OutgoingRecord(
        topic=topic or route_for(envelope.type).topic,
        key=_as_key(key if key is not None else partition_key(envelope)),
        value=encode_event(envelope),
        headers=event_headers(envelope),
    )


async def publish_record(broker: KafkaBroker, record: OutgoingRecord) -> RecordMetadata:
    """Publishes pre-encoded bytes and waits for the broker's acknowledgement."""
    return await broker.publish(
        record.value,
        topic=record.topic,
        key=record.key,
        headers=record.headers,
        correlation_id=record.headers.get(HEADER_CORRELATION_ID),
    )


def record_headers(record: OutgoingRecord, correlation_id: str) -> list[tuple[str, bytes]]:
    """The Kafka headers `publish_record` writes for `record`: FastStream's `content-type` (empty
    for bytes) and `correlation_id`, then the record's own, merged as FastStream merges them."""
    merged = {"content-type": "", "correlation_id": correlation_id}
    merged.update(record.headers)
    return [(name, (value or "").encode()) for name, value in merged.items()]


async def send_record(broker: KafkaBroker, record: OutgoingRecord) -> RecordMetadata:
    """`publish_record` straight through the broker's aiokafka producer: for hot paths.

    The same producer (acks=all, idempotent: `make_broker`), the same value, key, partitioning
    and headers, and it returns only after the broker's acknowledgement; it only skips
    FastStream's per-call machinery (publish command, codec, middleware chain), which a broker
    made by `make_broker` has nothing in. Raises FastStream's IncorrectState while the broker is
    not connected. A record without a correlation id goes through `publish_record` (FastStream
    generates one).
    """
    correlation_id = record.headers.get(HEADER_CORRELATION_ID)
    if not correlation_id:
        return await publish_record(broker, record)
    # FastStream 0.7 keeps the connected producer here (EmptyProducerState raises until then).
    producer = broker.config.producer._producer.producer  # type: ignore[attr-defined]
    ack = await producer.send(
        record.topic, record.value, key=record.key, headers=record_headers(record, correlation_id)
    )
    metadata: RecordMetadata = await ack
    return metadata


async def publish_event(
    broker: KafkaBroker,
    envelope: Envelope[Any],
    *,
    topic: str | None = None,
    key: str | bytes | None = None,
) -> RecordMetadata:
    """Routes, encodes and publishes one event; returns after acks=all."""
    return await publish_record(broker, outgoing(envelope, topic=topic, key=key))


def _raise_errors(results: Iterable[tuple[Any, ...]], *, ignore: int) -> None:
    for result in results:
        name, code = result[0], result[1]
        if code not in (0, ignore):
            raise for_code(code)(f"topic {name}")


async def ensure_topics(
    bootstrap: str,
    names: Iterable[str],
    *,
    partitions: int | Mapping[str, int] = 3,
    replication_factor: int = 1,
    min_insync_replicas: int | None = None,
) -> list[str]:
    """Creates the topics that do not exist yet; returns the names it created.

    `min_insync_replicas`, when given, is set on each topic: an acks=all write is acknowledged
    only once that many brokers hold it (unset: the broker's default)."""
    wanted = sorted(set(names))
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="smsbus-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return []
        counts = partitions if isinstance(partitions, Mapping) else {}
        default = partitions if isinstance(partitions, int) else 3
        configs = {"min.insync.replicas": str(min_insync_replicas)} if min_insync_replicas else {}
        new = [
            NewTopic(n, counts.get(n, default), replication_factor, topic_configs=configs)
            for n in missing
        ]
        response = await admin.create_topics(new)
        _raise_errors(response.topic_errors, ignore=TopicAlreadyExistsError.errno)
        return missing
    finally:
        await admin.close()


async def delete_topics(bootstrap: str, names: Iterable[str]) -> None:
    """Deletes the topics that exist (tests' cleanup, `smsbus topics` tooling)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="smsbus-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        doomed = [name for name in set(names) if name in existing]
        if doomed:
            response = await admin.delete_topics(doomed)
            _raise_errors(response.topic_error_codes, ignore=UnknownTopicOrPartitionError.errno)
    finally:
        await admin.close()


KAFKA_BACKOFF = Backoff(initial=0.5, maximum=10.0)
"""Between attempts to reach Kafka at start-up."""


async def start_when_reachable(broker: KafkaBroker, *, backoff: Backoff = KAFKA_BACKOFF) -> None:
    """Starts the broker (and its subscribers), retrying with backoff while Kafka is away.

    A service comes up and serves /readyz (saying Kafka is down) instead of crashing at start.
    """
    await until_done(lambda: _start(broker), name="connecting to Kafka", backoff=backoff)


async def start_or_keep_trying(
    broker: KafkaBroker, *, backoff: Backoff = KAFKA_BACKOFF
) -> asyncio.Task[None] | None:
    """Starts the broker now if Kafka answers (None); else answers the task that keeps trying
    in the background (`start_when_reachable`) while the app serves, which its owner cancels
    at shutdown."""
    try:
        await _start(broker)
    except Exception as exc:
        logger.warning("Kafka is not reachable yet (%s); retrying", error_message(exc, limit=200))
        return asyncio.create_task(_keep_trying(broker, backoff), name="kafka-connect")
    return None


async def _keep_trying(broker: KafkaBroker, backoff: Backoff) -> None:
    await until_done(
        lambda: _start(broker),
        name="connecting to Kafka",
        first_delay=backoff.delay(1),
        backoff=backoff,
    )
    logger.info("connected to Kafka")


async def _start(broker: KafkaBroker) -> None:
    try:
        await broker.start()
    except Exception:
        await broker.stop()  # what the failed start opened, so the next attempt starts afresh
        raise


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    """`consumer.stop()`, without the cancellation aiokafka (0.14) lets out of it when a consumer
    without a group is stopped before its coordinator's task first ran: that task's
    cancellation, not ours (ours, if this task is being cancelled, is raised as ever). Left
    out, it would end whatever loop stopped the consumer as if that loop had been cancelled."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
