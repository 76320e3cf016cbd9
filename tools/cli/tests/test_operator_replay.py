"""`smsbus dlq`, `smsbus replay rejected` and `smsbus tail` against the real broker, on topics
of their own.

A real consumer (the runtime's `Consumer`, on a PostgreSQL schema of the test's own) dead-letters a poison event; the operator lists it,
reads its reason, fixes the cause and replays it; the consumer then handles it, once. Quarantined
webhooks that parse today are published exactly as ingest publishes them; those that still do
not are reported, and neither blocks the records after it.
"""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.cli import dead_letters, rejected
from smsbus.cli.main import main
from smsbus.cli.tail import describe, follow
from smsbus.cli.topic_reader import group_consumer, partitions, pending
from smsbus.contracts import Contact, Envelope, dlq_topic, encode_event
from smsbus.ingest.envelope import rejected_envelope, webhook_envelope
from smsbus.ingest.parsing import parse_webhook
from smsbus.ingest.testing import sample
from smsbus.openphone.signing import Scheme
from smsbus.runtime.db import create_tables
from smsbus.runtime.inbox import ProcessedEvent
from smsbus.runtime.kafka import (
    delete_topics,
    ensure_topics,
    make_broker,
    outgoing,
    publish_event,
    publish_record,
)
from smsbus.runtime.outbox import OutboxMessage
from smsbus.runtime.routes import Unit
from smsbus.runtime.testing import NewTopic, unique_name
from smsbus.runtime.testing_kafka import FAST, topic_consumer
from smsbus.runtime.testing_kafka import contact_event as sample_event

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


async def eventually(condition: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def records_on(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Everything on the topic now, read as the operator commands read."""
    consumer = group_consumer(bootstrap, unique_name("reader"))
    await consumer.start()
    try:
        parts = await partitions(bootstrap, topic)
        return [r async for r in pending(consumer, parts, limit=None, from_beginning=True)]
    finally:
        await consumer.stop()


@pytest.fixture
async def broker(kafka_bootstrap: str) -> AsyncIterator[KafkaBroker]:
    broker = make_broker(kafka_bootstrap, client_id=unique_name("cli-test"))
    yield broker
    await broker.stop()


def contact_event(n: int, name: str) -> Envelope[Contact]:
    return sample_event(
        n, first_name=name, event_id=f"EV-contact-{n}-{unique_name('x')}", source="test",
        at=NOW, correlation_id=f"corr-{n}",
    )  # fmt: skip


async def test_a_dead_letter_is_listed_read_replayed_once_and_then_handled(
    broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic, db_engine: AsyncEngine
) -> None:
    topic = await new_topic()
    group = unique_name("grp")
    dlq = await new_topic(name=dlq_topic(topic, group))
    handled: list[str] = []
    broken = {"poison"}

    async def handler(event: Envelope[Contact], unit: Unit) -> None:
        if event.data.first_name in broken:
            raise ValueError("cannot handle this contact")
        unit.after_commit(lambda: handled.append(event.data.first_name or ""))

    tables = [ProcessedEvent.__table__, OutboxMessage.__table__]  # type: ignore[attr-defined]
    await create_tables(db_engine, tables)
    consumer = topic_consumer(
        bootstrap=kafka_bootstrap, group=group, topic=topic, routes={"contact.updated": handler},
        engine=db_engine, broker=broker, backoff=FAST,
    )  # fmt: skip
    await broker.start()
    consuming = asyncio.create_task(consumer.run())
    for n, name in enumerate(["first", "poison", "third"]):
        await publish_event(broker, contact_event(n, name), topic=topic)
    await eventually(lambda: handled == ["first", "third"])
    for _ in range(100):  # the dead letter is written before the offset moves on
        (backlog,) = await dead_letters.backlogs(kafka_bootstrap, [dlq])
        if backlog.total:
            break
        await asyncio.sleep(0.1)
    assert (backlog.pending, backlog.total) == (1, 1)
    (dead,) = await dead_letters.read(kafka_bootstrap, dlq)
    summary = dead.summary()
    assert summary["error_type"] == "builtins.ValueError"
    assert summary["error"] == "cannot handle this contact"
    assert summary["original"] == f"{topic}/0/1"
    assert summary["group"] == group
    assert summary["event_type"] == "contact.updated"

    assert [d.where async for d in dead_letters.replay(kafka_bootstrap, dlq, dry_run=True)] == [
        dead.where
    ]
    assert len(await records_on(kafka_bootstrap, topic)) == 3  # a dry run publishes nothing

    broken.clear()  # the cause is fixed
    pending: list[int] = []
    replayed = [d async for d in dead_letters.replay(kafka_bootstrap, dlq, sized=pending.append)]
    assert [d.where for d in replayed] == [dead.where]
    assert pending == [1]  # the progress bar's total, known before the first one
    await eventually(lambda: handled == ["first", "third", "poison"])

    republished = (await records_on(kafka_bootstrap, topic))[-1]
    headers = dict(republished.headers)
    assert republished.value == dead.value
    assert republished.key == dead.key
    assert headers["x-replayed-from"] == dead.where.encode()
    assert headers["x-replayed-at"]
    assert headers["event-id"] == dead.header("event-id").encode()
    assert not set(headers) & dead_letters.REASON_HEADERS

    (backlog,) = await dead_letters.backlogs(kafka_bootstrap, [dlq])
    assert (backlog.pending, backlog.total) == (0, 1)
    assert [d async for d in dead_letters.replay(kafka_bootstrap, dlq)] == []  # never twice
    consuming.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await consuming
    assert await dead_letters.read(kafka_bootstrap, dlq) == []
    assert len(await dead_letters.read(kafka_bootstrap, dlq, include_replayed=True)) == 1
    await asyncio.sleep(0.5)
    assert handled == ["first", "third", "poison"]


async def test_a_dead_letter_without_its_origin_is_refused(
    broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    dlq = await new_topic(name=f"{unique_name('t')}.grp.dlq")
    await broker.start()
    await publish_event(broker, contact_event(1, "x"), topic=dlq)  # no reason headers
    with pytest.raises(dead_letters.UnknownOrigin, match="x-original-topic"):
        [d async for d in dead_letters.replay(kafka_bootstrap, dlq)]
    assert len(await dead_letters.read(kafka_bootstrap, dlq)) == 1  # still pending


def quarantined(body: bytes, reason: str = "invalid_payload") -> Envelope[object]:
    claimed = sample("v4", "message.received").payload()
    return rejected_envelope(
        body=body,
        reason=reason,  # type: ignore[arg-type]
        detail="the contract of the day refused it",
        event_type=claimed["type"],
        event_id=None,
        headers={"openphone-signature": "hmac;1;0;x"},
        scheme=Scheme.OPENPHONE,
        received_at=NOW,
    )


async def test_quarantined_webhooks_that_parse_now_are_published_as_ingest_publishes_them(
    broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topics = {
        rejected.REJECTED_TOPIC: await new_topic("rejected"),
        "openphone.messages.v1": await new_topic("messages"),
    }
    good = sample("v4", "message.received").body()  # quarantined by an older parser, say
    bad = b'{"id": "EV1", "type":'
    await broker.start()
    for body in (good, bad, good):
        await publish_record(
            broker, outgoing(quarantined(body), topic=topics[rejected.REJECTED_TOPIC])
        )

    dry = [o async for o in rejected.replay_rejected(kafka_bootstrap, topics=topics, dry_run=True)]
    assert [o.published_to for o in dry] == [
        topics["openphone.messages.v1"],
        None,
        dry[0].published_to,
    ]
    assert await records_on(kafka_bootstrap, topics["openphone.messages.v1"]) == []

    outcomes = [o async for o in rejected.replay_rejected(kafka_bootstrap, topics=topics)]
    assert [(o.rejected_for, o.published_to) for o in outcomes] == [
        ("invalid_payload", topics["openphone.messages.v1"]),
        ("invalid_payload", None),
        ("invalid_payload", topics["openphone.messages.v1"]),
    ]
    assert outcomes[1].still.startswith("malformed_json: ")

    # What ingest itself publishes for the same body: same value, key and event headers.
    expected = outgoing(
        webhook_envelope(parse_webhook(good), recorded_at=NOW),
        topic=topics["openphone.messages.v1"],
    )
    republished = await records_on(kafka_bootstrap, topics["openphone.messages.v1"])
    assert len(republished) == 2  # one per quarantined copy; consumers dedupe them by key
    for record in republished:
        assert (record.key, record.value) == (expected.key, expected.value)
        headers = dict(record.headers)
        for name, value in expected.headers.items():
            assert headers[name] == value.encode()
        assert headers["x-replayed-from"].startswith(topics[rejected.REJECTED_TOPIC].encode())

    looked_at = [o async for o in rejected.replay_rejected(kafka_bootstrap, topics=topics)]
    assert looked_at == []  # all looked at
    again = rejected.replay_rejected(kafka_bootstrap, topics=topics, from_beginning=True)
    assert len([o async for o in again]) == 3


async def test_tail_prints_what_arrives_and_moves_no_offsets(
    broker: KafkaBroker, kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    topic = await new_topic(partitions=3)
    await broker.start()
    await publish_event(broker, contact_event(1, "before"), topic=topic)

    async def tail_two() -> list[dict[str, object]]:
        followed = follow(kafka_bootstrap, topic, from_beginning=False, limit=2)
        return [describe(record) async for record in followed]

    tailing = asyncio.create_task(tail_two())
    await asyncio.sleep(2)  # it has reached the end by now
    for n, name in enumerate(["after", "later"], start=2):
        await publish_event(broker, contact_event(n, name), topic=topic)
    lines = await asyncio.wait_for(tailing, timeout=30)
    assert [line["value"]["data"]["firstName"] for line in lines] == ["after", "later"]  # type: ignore[index]
    assert all(line["headers"]["event-type"] == "contact.updated" for line in lines)  # type: ignore[index]

    everything = follow(kafka_bootstrap, topic, from_beginning=True, limit=3)
    assert len([record async for record in everything]) == 3


def test_tail_takes_the_replay_filters(
    kafka_bootstrap: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sync on purpose: the command runs its own event loop, as from a shell.
    topic = f"tail.{unique_name('cli')}.v1"
    asyncio.run(ensure_topics(kafka_bootstrap, [topic], partitions=2))
    try:

        async def publish() -> None:
            broker = make_broker(kafka_bootstrap, client_id=unique_name("cli-test"))
            await broker.start()
            try:
                for n, name in enumerate(["ann", "bob", "cy"]):
                    await publish_event(broker, contact_event(n, name), topic=topic)
            finally:
                await broker.stop()

        asyncio.run(publish())
        wanted = json.loads(encode_event(contact_event(1, "bob")))["dedupe_key"]
        monkeypatch.setenv("SMSBUS_KAFKA_BOOTSTRAP", kafka_bootstrap)
        with pytest.raises(SystemExit) as done:
            main(["tail", topic, "--from-beginning", "--limit", "1", "--type", "contact.*",
                  "--dedupe-key", wanted, "--source", "test"])  # fmt: skip
        assert done.value.code == 0
        (line,) = capsys.readouterr().out.splitlines()
        assert json.loads(line)["value"]["data"]["firstName"] == "bob"
    finally:
        asyncio.run(delete_topics(kafka_bootstrap, [topic]))


def test_dlq_replay_streams_each_dead_letter_at_the_rate_asked(
    kafka_bootstrap: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    topic = f"dlqcli.{unique_name('t')}.v1"
    dlq = dlq_topic(topic, "grp")
    asyncio.run(ensure_topics(kafka_bootstrap, [topic, dlq], partitions=1))
    try:

        async def dead_letter_three() -> None:
            broker = make_broker(kafka_bootstrap, client_id=unique_name("cli-test"))
            await broker.start()
            try:
                for n in range(3):
                    record = outgoing(contact_event(n, f"c{n}"), topic=dlq)
                    record.headers["x-original-topic"] = topic
                    await publish_record(broker, record)
            finally:
                await broker.stop()

        asyncio.run(dead_letter_three())
        monkeypatch.setenv("SMSBUS_KAFKA_BOOTSTRAP", kafka_bootstrap)
        with pytest.raises(SystemExit) as done:
            main(["dlq", "replay", dlq, "--rate", "20/s"])
        assert done.value.code == 0
        out, err = capsys.readouterr()
        *lines, summary = out.splitlines()
        assert [json.loads(line) for line in lines] == [
            {"replayed": f"{dlq}/0/{n}", "to": topic} for n in range(3)
        ]
        assert summary == f"replayed 3 dead letter(s) from {dlq}"
        assert f"dlq replay {dlq}: 3/3 (100 %) read, 3 replayed," in err
        assert len(asyncio.run(records_on(kafka_bootstrap, topic))) == 3
    finally:
        asyncio.run(delete_topics(kafka_bootstrap, [topic, dlq]))
