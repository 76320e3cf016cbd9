"""Consumer: batches of a partition in one transaction; duplicates skipped; a poison event
dead-lettered alone; a database outage mid-batch retried in place; a crash between the
transaction and the offset commit redelivers, and the inbox drops the copies."""

import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import Contact, Envelope, dlq_topic, encode_event
from smsbus.runtime.consumer import BatchLimits, Consumer
from smsbus.runtime.db import make_engine, make_sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.kafka import OutgoingRecord, publish_event, publish_record
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.outbox import add_to_outbox
from smsbus.runtime.routes import Batched, Unit
from smsbus.runtime.stalls import Stalls
from smsbus.runtime.testing import NewTopic, eventually, unique_name

pytestmark = pytest.mark.integration

FAST = Backoff(initial=0.05, factor=2.0, maximum=0.3)
CHILD = Path(__file__).with_name("consumer_child.py")


@pytest.fixture
async def effects(runtime_tables: AsyncEngine) -> AsyncEngine:
    async with runtime_tables.begin() as conn:
        await conn.execute(
            text(
                "CREATE TABLE effects (seq bigserial PRIMARY KEY, event_id text NOT NULL, "
                "txid bigint NOT NULL DEFAULT txid_current())"
            )
        )
    return runtime_tables


async def record_effect(event: Envelope[Contact], unit: Unit) -> None:
    connection = await unit.session.connection()
    await connection.execute(
        text("INSERT INTO effects (event_id) VALUES (:id)"), {"id": event.event_id}
    )


async def effect_rows(engine: AsyncEngine) -> list[tuple[str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_id, txid FROM effects ORDER BY seq"))
        return [(row.event_id, row.txid) for row in rows]


@contextlib.asynccontextmanager
async def consuming(consumer: Consumer) -> AsyncIterator[Consumer]:
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def a_consumer(
    kafka_bootstrap: str,
    engine: AsyncEngine,
    broker: KafkaBroker,
    topic: str,
    group: str,
    routes: dict[str, object],
    **options: object,
) -> Consumer:
    return Consumer(
        bootstrap=kafka_bootstrap,
        group_id=group,
        topics=[topic],
        routes=routes,  # type: ignore[arg-type]
        sessions=make_sessions(engine),
        broker=broker,
        backoff=FAST,
        **options,  # type: ignore[arg-type]
    )


async def read_all(
    bootstrap: str, topic: str, count: int, wait: float = 30.0
) -> list[ConsumerRecord[bytes, bytes]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.seek_to_beginning()
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = asyncio.get_running_loop().time() + wait
        while len(records) < count and asyncio.get_running_loop().time() < deadline:
            for part in (await consumer.getmany(timeout_ms=300)).values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


async def committed(bootstrap: str, group: str, topic: str) -> int | None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        return await consumer.committed(TopicPartition(topic, 0))
    finally:
        await consumer.stop()


def sample(metrics: Metrics, topic: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "smsbus_runtime_tests_events_handled_total", {"topic": topic, "outcome": outcome}
    )
    return value or 0.0


async def test_a_batch_with_duplicates_has_one_effect_per_event_in_one_transaction(
    effects: AsyncEngine, broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic, make_event
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    events = [make_event(n) for n in range(1, 6)]
    reconciled_copy = events[1].model_copy(update={"event_id": "synthetic-2"})  # same dedupe key
    sessions = make_sessions(effects)
    async with sessions() as session, session.begin():  # handled in an earlier life
        await (await session.connection()).execute(
            text(
                "INSERT INTO processed_events (consumer, dedupe_key, event_id) VALUES (:c, :k, 'x')"
            ),
            {"c": group, "k": events[4].dedupe_key},
        )
    await broker.start()
    for event in [
        events[0],
        events[1],
        events[0],
        reconciled_copy,
        events[2],
        events[3],
        events[4],
    ]:
        await publish_event(broker, event, topic=topic)

    metrics = Metrics("runtime-tests")
    consumer = a_consumer(
        kafka_bootstrap,
        effects,
        broker,
        topic,
        group,
        {"contact.updated": record_effect},
        metrics=metrics,
    )
    async with consuming(consumer):
        await eventually(lambda: committed(kafka_bootstrap, group, topic), within=30)
        await eventually(_equals(lambda: committed(kafka_bootstrap, group, topic), 7))

    rows = await effect_rows(effects)
    assert [event_id for event_id, _ in rows] == [e.event_id for e in events[:4]]
    assert len({txid for _, txid in rows}) == 1  # the seven records were one batch
    assert sample(metrics, topic, "handled") == 7


async def test_a_poison_event_mid_batch_goes_alone_to_the_dlq_and_the_rest_keeps_its_order(
    effects: AsyncEngine, broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic, make_event
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    dlq = await new_topic(name=dlq_topic(topic, group))
    events = [make_event(n) for n in range(1, 11)]

    async def handler(event: Envelope[Contact], unit: Unit) -> None:
        await record_effect(event, unit)
        await add_to_outbox(unit.session, event, topic="echo.v1")
        if event.data.first_name == "v4":
            raise ValueError("cannot handle +12566581234")

    await broker.start()
    for event in events[:6]:
        await publish_event(broker, event, topic=topic)
    await publish_record(
        broker, OutgoingRecord(topic, b"CT1", b"{not json", {"event-id": "EV-garbage"})
    )
    for event in events[6:]:
        await publish_event(broker, event, topic=topic)

    metrics = Metrics("runtime-tests")
    consumer = a_consumer(
        kafka_bootstrap,
        effects,
        broker,
        topic,
        group,
        {"contact.updated": handler},
        metrics=metrics,
    )
    async with consuming(consumer):
        await eventually(_equals(lambda: committed(kafka_bootstrap, group, topic), 11))

    expected = [e.event_id for e in events if e.data.first_name != "v4"]
    assert [event_id for event_id, _ in await effect_rows(effects)] == expected
    async with effects.connect() as conn:
        outbox = (
            (await conn.execute(text("SELECT event_id FROM outbox ORDER BY id"))).scalars().all()
        )
    assert outbox == expected  # the failed event's outbox row rolled back with it

    dead = await read_all(kafka_bootstrap, dlq, 2)
    assert [r.value for r in dead] == [encode_event(events[3]), b"{not json"]
    first = {name: value.decode() for name, value in dead[0].headers}
    assert first["x-error-type"] == "builtins.ValueError"
    assert first["x-error-message"] == "cannot handle +*******1234"
    assert "test_consumer.py" in first["x-error-frame"]
    assert first["x-original-offset"] == "3"
    assert first["x-consumer-group"] == group
    assert first["event-id"] == events[3].event_id
    second = {name: value.decode() for name, value in dead[1].headers}
    assert second["x-error-type"] == "pydantic_core._pydantic_core.ValidationError"
    assert second["x-original-offset"] == "6"
    assert sample(metrics, topic, "dead_lettered") == 2
    assert sample(metrics, topic, "handled") == 9


async def test_a_batch_handler_that_fails_is_split_until_the_poison_event_is_alone(
    effects: AsyncEngine, broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic, make_event
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    dlq = await new_topic(name=dlq_topic(topic, group))
    events = [make_event(n) for n in range(1, 9)]
    calls: list[int] = []

    async def handle_many(batch: Sequence[Envelope[Contact]], unit: Unit) -> None:
        calls.append(len(batch))
        for event in batch:
            await record_effect(event, unit)
        if any(event.data.first_name == "v6" for event in batch):
            raise KeyError("v6")

    await broker.start()
    for event in events:
        await publish_event(broker, event, topic=topic)
    consumer = a_consumer(
        kafka_bootstrap, effects, broker, topic, group, {"contact.updated": Batched(handle_many)}
    )
    async with consuming(consumer):
        await eventually(_equals(lambda: committed(kafka_bootstrap, group, topic), 8))

    assert calls[0] == 8  # first the whole batch in one call
    assert [event_id for event_id, _ in await effect_rows(effects)] == [
        e.event_id for e in events if e.data.first_name != "v6"
    ]
    assert [r.value for r in await read_all(kafka_bootstrap, dlq, 1)] == [encode_event(events[5])]


async def test_a_database_outage_mid_batch_is_retried_in_place_with_nothing_lost_or_doubled(
    effects: AsyncEngine,
    broker: KafkaBroker,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    make_event,
    database_url: str,
    db_schema: str,
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    await new_topic(name=dlq_topic(topic, group))
    events = [make_event(n) for n in range(1, 21)]
    stalls = Stalls()
    admin = make_engine(database_url, schema=db_schema)
    outages: list[int] = []

    async def handler(event: Envelope[Contact], unit: Unit) -> None:
        await record_effect(event, unit)
        if event.data.first_name == "v12" and len(outages) < 2:
            # The database goes away under the batch: its connection is terminated by the server.
            connection = await unit.session.connection()
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            async with admin.connect() as other:
                await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            outages.append(len(stalls))

    await broker.start()
    for event in events:
        await publish_event(broker, event, topic=topic)
    consumer = a_consumer(
        kafka_bootstrap, effects, broker, topic, group, {"contact.updated": handler}, stalls=stalls
    )
    try:
        async with consuming(consumer):
            await eventually(_equals(lambda: committed(kafka_bootstrap, group, topic), 20))
    finally:
        await admin.dispose()

    assert outages == [0, 1]  # the second attempt ran while /readyz reported the stall
    assert len(stalls) == 0
    assert [event_id for event_id, _ in await effect_rows(effects)] == [e.event_id for e in events]
    assert await read_all(kafka_bootstrap, dlq_topic(topic, group), 1, wait=1.0) == []


async def test_a_crash_between_the_transaction_and_the_offset_commit_is_harmless(
    effects: AsyncEngine,
    broker: KafkaBroker,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    make_event,
    database_url: str,
    db_schema: str,
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    events = [make_event(n) for n in range(1, 6)]
    await broker.start()
    for event in events:
        await publish_event(broker, event, topic=topic)

    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), kafka_bootstrap, database_url, db_schema, topic, group
    )
    assert await asyncio.wait_for(child.wait(), 60) == -signal.SIGKILL
    assert [event_id for event_id, _ in await effect_rows(effects)] == [e.event_id for e in events]
    assert await committed(kafka_bootstrap, group, topic) is None  # killed before committing

    metrics = Metrics("runtime-tests")
    consumer = a_consumer(
        kafka_bootstrap,
        effects,
        broker,
        topic,
        group,
        {"contact.updated": record_effect},
        metrics=metrics,
    )
    async with consuming(consumer):
        await eventually(_equals(lambda: committed(kafka_bootstrap, group, topic), 5))
    assert [event_id for event_id, _ in await effect_rows(effects)] == [e.event_id for e in events]
    assert sample(metrics, topic, "handled") == 5  # redelivered, and dropped by the inbox


async def test_transient_faults_hold_the_partition_and_other_types_are_skipped(
    effects: AsyncEngine, broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic, make_event
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    first, second = make_event(1), make_event(2)
    attempts: list[str] = []

    async def handler(event: Envelope[Contact], unit: Unit) -> None:
        attempts.append(event.event_id)
        if event.event_id == first.event_id and attempts.count(first.event_id) <= 3:
            raise ConnectionRefusedError("dependency is down")
        await record_effect(event, unit)

    await broker.start()
    await publish_event(broker, first, topic=topic)
    await publish_record(
        broker, OutgoingRecord(topic, b"CT1", b"not even json", {"event-type": "contact.deleted"})
    )
    await publish_event(broker, second, topic=topic)
    metrics = Metrics("runtime-tests")
    consumer = a_consumer(
        kafka_bootstrap,
        effects,
        broker,
        topic,
        group,
        {"contact.updated": handler},
        metrics=metrics,
        limits=BatchLimits(max_records=1),
    )
    async with consuming(consumer):
        await eventually(_equals(lambda: committed(kafka_bootstrap, group, topic), 3))
    assert [event_id for event_id, _ in await effect_rows(effects)] == [
        first.event_id,
        second.event_id,
    ]
    assert attempts == [first.event_id] * 4 + [second.event_id]
    assert sample(metrics, topic, "retried") == 3
    assert sample(metrics, topic, "skipped") == 1  # no route: not even decoded


def test_a_route_for_an_unknown_type_is_refused(broker: KafkaBroker) -> None:
    with pytest.raises(ValueError, match=r"contact\.updatd"):
        Consumer(
            bootstrap="127.0.0.1:1",
            group_id="g",
            topics=["t"],
            routes={"contact.updatd": record_effect},
            sessions=None,  # type: ignore[arg-type]
            broker=broker,
        )


def _equals(read: Callable[[], object], expected: object) -> Callable[[], object]:
    async def check() -> bool:
        return await read() == expected  # type: ignore[misc]

    return check
