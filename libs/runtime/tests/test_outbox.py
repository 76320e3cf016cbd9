import asyncio
import contextlib
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import decode_event, encode_event
from smsbus.runtime.db import make_sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.outbox import add_to_outbox
from smsbus.runtime.relay import OutboxRelay
from smsbus.runtime.testing import NewTopic, eventually
from smsbus.runtime.testing_kafka import read_partition

pytestmark = pytest.mark.integration

CHILD = Path(__file__).with_name("outbox_child.py")


@dataclass
class Outbox:
    """The runtime's outbox tables, a topic of the test's own, and the broker relays publish on
    (not started: a test starts it when the broker should be reachable)."""

    engine: AsyncEngine
    bootstrap: str
    broker: KafkaBroker
    topic: str

    async def holds(self, *events: Any) -> None:
        """Commits `events` to the outbox, bound for the topic, in one transaction."""
        async with make_sessions(self.engine)() as session, session.begin():
            for event in events:
                await add_to_outbox(session, event, topic=self.topic)

    async def published(self, wait: float) -> list[ConsumerRecord[bytes, bytes]]:
        """Everything on the topic's partition 0 that arrives within `wait` seconds."""
        return await read_partition(self.bootstrap, self.topic, wait=wait)

    async def published_once_any(self, within: float = 30.0) -> list[Any]:
        """Polls the topic until something is on it (AssertionError after `within` seconds)."""
        return await eventually(lambda: self.published(wait=0.3), within=within)


@pytest.fixture
async def outbox(
    runtime_tables: AsyncEngine, kafka_bootstrap: str, broker: KafkaBroker, new_topic: NewTopic
) -> Outbox:
    return Outbox(runtime_tables, kafka_bootstrap, broker, await new_topic())


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[OutboxRelay]:
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_committed_event_survives_a_crash_and_a_rolled_back_one_never_leaves(
    outbox: Outbox, database_url: str, db_schema: str, make_event
) -> None:
    engine, topic = outbox.engine, outbox.topic
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE widgets (name text NOT NULL)"))
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

    await outbox.broker.start()
    metrics = Metrics("runtime-tests")
    relay = OutboxRelay(engine=engine, broker=outbox.broker, metrics=metrics)
    assert await relay.measure_lag() == (1, pytest.approx(await _age(engine), abs=5))
    assert await relay.relay_once() == 1
    assert await relay.relay_once() == 0  # a second pass publishes nothing again
    assert (await relay.measure_lag())[0] == 0

    records = await outbox.published(wait=2.0)
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
    outbox: Outbox, make_event
) -> None:
    events = [make_event(n) for n in range(60)]
    await outbox.holds(*events)

    await outbox.broker.start()
    relays = [
        OutboxRelay(engine=outbox.engine, broker=outbox.broker, batch_size=7) for _ in range(3)
    ]

    async def drain(relay: OutboxRelay) -> int:
        total = 0
        for _ in range(40):
            total += await relay.relay_once()
        return total

    counts = await asyncio.gather(*(drain(relay) for relay in relays))
    assert sum(counts) == len(events)
    records = await outbox.published(wait=2.0)
    assert [decode_event(r.value).event_id for r in records] == [e.event_id for e in events]


async def test_the_running_relay_backs_off_while_the_broker_is_away_then_delivers(
    outbox: Outbox, make_event
) -> None:
    metrics = Metrics("runtime-tests")
    backoff = Backoff(initial=0.1, maximum=0.5)
    async with running(
        OutboxRelay(engine=outbox.engine, broker=outbox.broker, metrics=metrics, backoff=backoff)
    ):
        stuck = make_event(6)
        await outbox.holds(stuck)
        await asyncio.sleep(1.0)  # the broker is not connected: publishing fails, relay retries
        assert await outbox.published(wait=0.3) == []
        errors = metrics.registry.get_sample_value(
            "smsbus_runtime_tests_outbox_relay_errors_total",
            {"error": "faststream.exceptions.IncorrectState"},
        )
        assert errors is not None
        assert errors >= 2
        await outbox.broker.start()
        records = await outbox.published_once_any()
        assert [decode_event(r.value) for r in records] == [stuck]


async def test_the_running_relay_wakes_on_commit(outbox: Outbox, make_event) -> None:
    await outbox.broker.start()
    async with running(OutboxRelay(engine=outbox.engine, broker=outbox.broker, poll_interval=60.0)):
        await asyncio.sleep(0.5)  # the relay is now waiting (LISTEN), its poll is a minute away
        event = make_event(7)
        await outbox.holds(event)
        records = await outbox.published_once_any(within=10)  # not the minute's poll
        assert [decode_event(r.value) for r in records] == [event]
