"""Consumer: batches of a partition in one transaction; duplicates skipped; a poison event
dead-lettered alone; a database outage mid-batch retried in place; a crash between the
transaction and the offset commit redelivers, and the inbox drops the copies."""

import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiokafka import TopicPartition
from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import Contact, Envelope, dlq_topic, encode_event
from smsbus.runtime.consumer import BatchLimits, Consumer
from smsbus.runtime.db import make_engine, make_sessions
from smsbus.runtime.kafka import OutgoingRecord, publish_event, publish_record
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.outbox import add_to_outbox
from smsbus.runtime.routes import Batched, Unit
from smsbus.runtime.stalls import Stalls
from smsbus.runtime.testing import NewTopic, eventually, unique_name
from smsbus.runtime.testing_kafka import FAST, committed_offsets, read_partition, topic_consumer

pytestmark = pytest.mark.integration

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


@dataclass
class ConsumerRig:
    """A test's own topic (one partition) and group, the started broker publishing to it, and
    the effects table its handlers write."""

    bootstrap: str
    broker: KafkaBroker
    engine: AsyncEngine
    topic: str
    group: str
    metrics: Metrics = field(default_factory=lambda: Metrics("runtime-tests"))

    async def publish(self, events: Sequence[Envelope[Contact]]) -> None:
        for event in events:
            await publish_event(self.broker, event, topic=self.topic)

    async def committed(self) -> int | None:
        (offset,) = await committed_offsets(
            self.bootstrap, self.group, [TopicPartition(self.topic, 0)]
        )
        return offset

    async def consume_until_committed(
        self, offset: int, routes: dict[str, Any], **options: Any
    ) -> None:
        """Runs a Consumer of the group with `routes` until its committed offset is `offset`."""
        consumer = topic_consumer(
            bootstrap=self.bootstrap, group=self.group, topic=self.topic, routes=routes,
            engine=self.engine, broker=self.broker, backoff=FAST, metrics=self.metrics, **options,
        )  # fmt: skip
        task = asyncio.create_task(consumer.run())
        try:
            await eventually(lambda: self._committed_is(offset))
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _committed_is(self, offset: int) -> bool:
        return await self.committed() == offset

    async def effects(self) -> list[str]:
        """The event ids the handlers recorded, in order."""
        return [event_id for event_id, _ in await self.effect_rows()]

    async def effect_rows(self) -> list[tuple[str, int]]:
        async with self.engine.connect() as conn:
            rows = await conn.execute(text("SELECT event_id, txid FROM effects ORDER BY seq"))
            return [(row.event_id, row.txid) for row in rows]

    async def dead_letters(self, count: int, wait: float = 30.0) -> list[Any]:
        return await read_partition(
            self.bootstrap, dlq_topic(self.topic, self.group), wait=wait, count=count
        )

    def handled(self, outcome: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "smsbus_runtime_tests_events_handled_total", {"topic": self.topic, "outcome": outcome}
        )
        return value or 0.0


@pytest.fixture
async def rig(
    effects: AsyncEngine, broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic
) -> ConsumerRig:
    await broker.start()
    rig = ConsumerRig(kafka_bootstrap, broker, effects, await new_topic(), unique_name("grp"))
    await new_topic(name=dlq_topic(rig.topic, rig.group))  # where its consumer dead-letters
    return rig


async def test_a_batch_with_duplicates_has_one_effect_per_event_in_one_transaction(
    rig: ConsumerRig, make_event
) -> None:
    events = [make_event(n) for n in range(1, 6)]
    reconciled_copy = events[1].model_copy(update={"event_id": "synthetic-2"})  # same dedupe key
    sessions = make_sessions(rig.engine)
    async with sessions() as session, session.begin():  # handled in an earlier life
        await (await session.connection()).execute(
            text(
                "INSERT INTO processed_events (consumer, dedupe_key, event_id) VALUES (:c, :k, 'x')"
            ),
            {"c": rig.group, "k": events[4].dedupe_key},
        )
    await rig.publish([events[0], events[1], events[0], reconciled_copy, *events[2:]])

    await rig.consume_until_committed(7, {"contact.updated": record_effect})

    rows = await rig.effect_rows()
    assert [event_id for event_id, _ in rows] == [e.event_id for e in events[:4]]
    assert len({txid for _, txid in rows}) == 1  # the seven records were one batch
    assert rig.handled("handled") == 7


async def test_a_poison_event_mid_batch_goes_alone_to_the_dlq_and_the_rest_keeps_its_order(
    rig: ConsumerRig, make_event
) -> None:
    events = [make_event(n) for n in range(1, 11)]

    async def handler(event: Envelope[Contact], unit: Unit) -> None:
        await record_effect(event, unit)
        await add_to_outbox(unit.session, event, topic="echo.v1")
        if event.data.first_name == "v4":
            raise ValueError("cannot handle +12566581234")

    await rig.publish(events[:6])
    await publish_record(
        rig.broker, OutgoingRecord(rig.topic, b"CT1", b"{not json", {"event-id": "EV-garbage"})
    )
    await rig.publish(events[6:])

    await rig.consume_until_committed(11, {"contact.updated": handler})

    expected = [e.event_id for e in events if e.data.first_name != "v4"]
    assert await rig.effects() == expected
    async with rig.engine.connect() as conn:
        outbox = (
            (await conn.execute(text("SELECT event_id FROM outbox ORDER BY id"))).scalars().all()
        )
    assert outbox == expected  # the failed event's outbox row rolled back with it

    dead = await rig.dead_letters(2)
    assert [r.value for r in dead] == [encode_event(events[3]), b"{not json"]
    first = {name: value.decode() for name, value in dead[0].headers}
    assert first["x-error-type"] == "builtins.ValueError"
    assert first["x-error-message"] == "cannot handle +*******1234"
    assert "test_consumer.py" in first["x-error-frame"]
    assert first["x-original-offset"] == "3"
    assert first["x-consumer-group"] == rig.group
    assert first["event-id"] == events[3].event_id
    second = {name: value.decode() for name, value in dead[1].headers}
    assert second["x-error-type"] == "pydantic_core._pydantic_core.ValidationError"
    assert second["x-original-offset"] == "6"
    assert rig.handled("dead_lettered") == 2
    assert rig.handled("handled") == 9


async def test_a_batch_handler_that_fails_is_split_until_the_poison_event_is_alone(
    rig: ConsumerRig, make_event
) -> None:
    events = [make_event(n) for n in range(1, 9)]
    calls: list[int] = []

    async def handle_many(batch: Sequence[Envelope[Contact]], unit: Unit) -> None:
        calls.append(len(batch))
        for event in batch:
            await record_effect(event, unit)
        if any(event.data.first_name == "v6" for event in batch):
            raise KeyError("v6")

    await rig.publish(events)
    await rig.consume_until_committed(8, {"contact.updated": Batched(handle_many)})

    assert calls[0] == 8  # first the whole batch in one call
    assert await rig.effects() == [e.event_id for e in events if e.data.first_name != "v6"]
    assert [r.value for r in await rig.dead_letters(1)] == [encode_event(events[5])]


async def test_a_database_outage_mid_batch_is_retried_in_place_with_nothing_lost_or_doubled(
    rig: ConsumerRig, make_event, database_url: str, db_schema: str
) -> None:
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

    await rig.publish(events)
    try:
        await rig.consume_until_committed(20, {"contact.updated": handler}, stalls=stalls)
    finally:
        await admin.dispose()

    assert outages == [0, 1]  # the second attempt ran while /readyz reported the stall
    assert len(stalls) == 0
    assert await rig.effects() == [e.event_id for e in events]
    assert await rig.dead_letters(1, wait=1.0) == []


async def test_a_crash_between_the_transaction_and_the_offset_commit_is_harmless(
    rig: ConsumerRig, make_event, database_url: str, db_schema: str
) -> None:
    events = [make_event(n) for n in range(1, 6)]
    await rig.publish(events)

    child = await asyncio.create_subprocess_exec(
        sys.executable, str(CHILD), rig.bootstrap, database_url, db_schema, rig.topic, rig.group
    )
    assert await asyncio.wait_for(child.wait(), 60) == -signal.SIGKILL
    assert await rig.effects() == [e.event_id for e in events]
    assert await rig.committed() is None  # killed before committing

    await rig.consume_until_committed(5, {"contact.updated": record_effect})
    assert await rig.effects() == [e.event_id for e in events]
    assert rig.handled("handled") == 5  # redelivered, and dropped by the inbox


async def test_transient_faults_hold_the_partition_and_other_types_are_skipped(
    rig: ConsumerRig, make_event
) -> None:
    first, second = make_event(1), make_event(2)
    attempts: list[str] = []

    async def handler(event: Envelope[Contact], unit: Unit) -> None:
        attempts.append(event.event_id)
        if event.event_id == first.event_id and attempts.count(first.event_id) <= 3:
            raise ConnectionRefusedError("dependency is down")
        await record_effect(event, unit)

    await rig.publish([first])
    await publish_record(
        rig.broker,
        OutgoingRecord(rig.topic, b"CT1", b"not even json", {"event-type": "contact.deleted"}),
    )
    await rig.publish([second])
    await rig.consume_until_committed(
        3, {"contact.updated": handler}, limits=BatchLimits(max_records=1)
    )
    assert await rig.effects() == [first.event_id, second.event_id]
    assert attempts == [first.event_id] * 4 + [second.event_id]
    assert rig.handled("retried") == 3
    assert rig.handled("skipped") == 1  # no route: not even decoded


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
