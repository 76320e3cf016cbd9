import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import decode_event, encode_event
from smsbus.runtime.db import make_sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.outbox import add_to_outbox
from smsbus.runtime.relay import OutboxRelay
from smsbus.runtime.testing import NewTopic

pytestmark = pytest.mark.integration

CHILD = Path(__file__).with_name("outbox_child.py")


async def read_topic(bootstrap: str, topic: str, wait: float) -> list[ConsumerRecord[bytes, bytes]]:
    """Everything on partition 0 that arrives within `wait` seconds."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, 0)])
        await consumer.seek_to_beginning()
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            for part in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


async def test_a_committed_event_survives_a_crash_and_a_rolled_back_one_never_leaves(
    runtime_tables: AsyncEngine,
    database_url: str,
    db_schema: str,
    kafka_bootstrap: str,
    broker: KafkaBroker,
    new_topic: NewTopic,
    make_event,
) -> None:
    engine = runtime_tables
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE widgets (name text NOT NULL)"))
    topic = await new_topic()
    committed, rolled = make_event(1), make_event(2)

    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        database_url,
        db_schema,
        topic,
        encode_event(committed).decode(),
        encode_event(rolled).decode(),
    )
    assert await child.wait() == -signal.SIGKILL

    async with engine.connect() as conn:
        widgets = (await conn.execute(text("SELECT name FROM widgets"))).scalars().all()
    assert widgets == ["ok"]

    await broker.start()
    metrics = Metrics("runtime-tests")
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics)
    assert await relay.measure_lag() == (1, pytest.approx(await _age(engine), abs=5))
    assert await relay.relay_once() == 1
    assert await relay.relay_once() == 0  # a second pass publishes nothing again
    assert (await relay.measure_lag())[0] == 0

    records = await read_topic(kafka_bootstrap, topic, wait=2.0)
    assert [decode_event(r.value) for r in records] == [committed]
    assert records[0].key == b"CT1"
    assert dict(records[0].headers)["event-id"] == committed.event_id.encode()
    assert (
        metrics.registry.get_sample_value(
            "smsbus_runtime_tests_outbox_published_total", {"topic": topic}
        )
        == 1.0
    )


async def _age(engine: AsyncEngine) -> float:
    async with engine.connect() as conn:
        query = text("SELECT extract(epoch FROM now() - min(created_at)) FROM outbox")
        return float((await conn.execute(query)).scalar_one())


async def test_relays_in_parallel_publish_each_event_once_in_order(
    runtime_tables: AsyncEngine,
    kafka_bootstrap: str,
    broker: KafkaBroker,
    new_topic: NewTopic,
    make_event,
) -> None:
    engine = runtime_tables
    topic = await new_topic()
    events = [make_event(n) for n in range(60)]
    sessions = make_sessions(engine)
    async with sessions() as session, session.begin():
        for event in events:
            await add_to_outbox(session, event, topic=topic)

    await broker.start()
    relays = [OutboxRelay(engine=engine, broker=broker, batch_size=7) for _ in range(3)]

    async def drain(relay: OutboxRelay) -> int:
        total = 0
        for _ in range(40):
            total += await relay.relay_once()
        return total

    counts = await asyncio.gather(*(drain(relay) for relay in relays))
    assert sum(counts) == len(events)
    records = await read_topic(kafka_bootstrap, topic, wait=2.0)
    assert [decode_event(r.value).event_id for r in records] == [e.event_id for e in events]


async def test_the_running_relay_backs_off_while_the_broker_is_away_then_delivers(
    runtime_tables: AsyncEngine,
    kafka_bootstrap: str,
    broker: KafkaBroker,
    new_topic: NewTopic,
    make_event,
) -> None:
    engine = runtime_tables
    topic = await new_topic()
    sessions = make_sessions(engine)
    metrics = Metrics("runtime-tests")
    relay = OutboxRelay(
        engine=engine, broker=broker, metrics=metrics, backoff=Backoff(initial=0.1, maximum=0.5)
    )
    task = asyncio.create_task(relay.run())
    try:
        stuck = make_event(6)
        async with sessions() as session, session.begin():
            await add_to_outbox(session, stuck, topic=topic)
        await asyncio.sleep(1.0)  # the broker is not connected: publishing fails, relay retries
        assert await read_topic(kafka_bootstrap, topic, wait=0.3) == []
        errors = metrics.registry.get_sample_value(
            "smsbus_runtime_tests_outbox_relay_errors_total",
            {"error": "faststream.exceptions.IncorrectState"},
        )
        assert errors is not None
        assert errors >= 2
        await broker.start()
        records: list[ConsumerRecord[bytes, bytes]] = []
        while not records:
            records = await read_topic(kafka_bootstrap, topic, wait=0.3)
        assert [decode_event(r.value) for r in records] == [stuck]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_running_relay_wakes_on_commit(
    runtime_tables: AsyncEngine,
    kafka_bootstrap: str,
    broker: KafkaBroker,
    new_topic: NewTopic,
    make_event,
) -> None:
    engine = runtime_tables
    topic = await new_topic()
    sessions = make_sessions(engine)
    await broker.start()
    relay = OutboxRelay(engine=engine, broker=broker, poll_interval=60.0)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.5)  # the relay is now waiting (LISTEN), its poll is a minute away
        event = make_event(7)
        async with sessions() as session, session.begin():
            await add_to_outbox(session, event, topic=topic)
        started = time.monotonic()
        records: list[ConsumerRecord[bytes, bytes]] = []
        while not records and time.monotonic() - started < 10:
            records = await read_topic(kafka_bootstrap, topic, wait=0.3)
        assert [decode_event(r.value) for r in records] == [event]
        assert time.monotonic() - started < 10
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
