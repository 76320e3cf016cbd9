"""The issue's "Must show" list, end to end: the simulator signs webhooks to ingest, ingest
publishes to real Kafka, compliance consumes and answers through the simulator's REST API."""

import asyncio
import signal
from datetime import UTC, datetime

import pytest
from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import decode_event
from smsbus.runtime.kafka import OutgoingRecord, make_broker, publish_event, publish_record

from .harness import PERSON, Stack, consent, eventually, has_status, settled_outgoing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_stop_delivered_three_times_plus_a_reconciled_copy_confirms_exactly_once(
    stack: Stack,
) -> None:
    await stack.webhook(copies=3)
    async with stack.compliance() as api:
        inbound = await stack.sim.inbound_message(sender=PERSON, to=stack.line, text="STOP")
        records = await eventually(lambda: _received(stack, 3), within=30)
        first = decode_event(records[0].value)
        # The reconciler's synthetic copy of the same fact: same dedupe key, source reconciler.
        reconciled = first.model_copy(
            update={
                "event_id": f"reconciler-{first.data.id}",
                "source": "reconciler",
                "recorded_at": datetime.now(UTC),
            }
        )
        broker = make_broker(stack.bootstrap, client_id="e2e-reconciler")
        await broker.start()
        await publish_event(broker, reconciled, topic=stack.topics["openphone.messages.v1"])
        await broker.stop()

        await eventually(lambda: has_status(api, "opted_out"))
        sent = await settled_outgoing(stack, PERSON, 1)
        received = await _received(stack, 4)

        deliveries = await stack.sim.deliveries()
        delivered = [
            d for d in deliveries if d["eventId"] == first.event_id and d["outcome"] == "delivered"
        ]
        assert len(delivered) == 3
        assert {decode_event(r.value).dedupe_key for r in received} == {first.dedupe_key}
        assert sorted(decode_event(r.value).source for r in received) == [
            "openphone.webhook"
        ] * 3 + ["reconciler"]
        assert len(sent) == 1
        assert (
            sent[0]["text"]
            == "Acme Fences: You are unsubscribed and will receive no more messages from us. Reply START to resubscribe."
        )
        assert sent[0]["from"] == stack.line
        body = await consent(api)
        assert len(body["history"]) == 1
        assert body["history"][0]["evidence"]["message_id"] == first.data.id
        assert first.data.text == "STOP"
        assert inbound
        events = [
            decode_event(r.value)
            for r in await eventually(lambda: stack.records(stack.topics["compliance.consent.v1"]))
        ]
        assert [(e.type, e.data.phone) for e in events] == [("consent.revoked", PERSON)]


async def _received(stack: Stack, n: int) -> list | None:
    records = await stack.records(stack.topics["openphone.messages.v1"])
    return records if len(records) >= n else None


async def test_stop_start_stop_ends_opted_out_with_three_entries_and_their_evidence(
    stack: Stack,
) -> None:
    await stack.webhook()
    async with stack.compliance() as api:
        for n, (word, status) in enumerate(
            [("STOP", "opted_out"), ("START", "opted_in"), ("Stop texting me please", "opted_out")],
            start=1,
        ):
            await stack.sim.inbound_message(sender=PERSON, to=stack.line, text=word)
            await eventually(lambda status=status, n=n: has_status(api, status, entries=n))

        history = (await consent(api))["history"]
        assert [
            (e["action"], e["source"], e["evidence"]["text"], e["evidence"]["matched"])
            for e in history
        ] == [
            ("revoked", "sms", "STOP", "stop"),
            ("granted", "sms", "START", "start"),
            ("revoked", "sms", "Stop texting me please", "stop"),
        ]
        assert all(
            e["evidence"]["message_id"].startswith("AC") and e["classifier_version"]
            for e in history
        )
        assert [e["recorded_at"] for e in history] == sorted(e["recorded_at"] for e in history)
        sent = await settled_outgoing(stack, PERSON, 3)
        assert [m["text"].split(": ", 1)[1][:20] for m in sent] == [
            "You are unsubscribed",
            "You are resubscribed",
            "You are unsubscribed",
        ]


async def test_a_suppressed_number_that_writes_thanks_stays_suppressed(stack: Stack) -> None:
    await stack.webhook()
    async with stack.compliance() as api:
        await stack.sim.inbound_message(sender=PERSON, to=stack.line, text="STOP")
        await eventually(lambda: has_status(api, "opted_out"))
        await settled_outgoing(stack, PERSON, 1)

        await stack.sim.inbound_message(sender=PERSON, to=stack.line, text="thanks")
        await eventually(lambda: _received(stack, 2))
        await asyncio.sleep(1.5)

        body = await consent(api)
        assert (body["status"], body["suppressed"], len(body["history"])) == ("opted_out", True, 1)
        eligibility = (
            await api.post("/v1/eligibility", json={"phones": [PERSON], "purpose": "transactional"})
        ).json()
        assert eligibility["results"][0]["reasons"] == ["suppressed"]
        assert len(await stack.outgoing(PERSON)) == 1


async def test_kill_9_between_the_opt_out_commit_and_its_confirmation_sends_exactly_one(
    stack: Stack, engine: AsyncEngine
) -> None:
    await stack.webhook()
    # First process: replies paused, so the opt-out commits and its confirmation waits.
    first, api = await stack.start_process(egress_sending=False)
    await stack.sim.inbound_message(sender=PERSON, to=stack.line, text="STOP")
    await eventually(lambda: has_status(api, "opted_out"))
    assert await _replies(engine) == [("opt_out_confirmation", "pending")]
    first.send_signal(signal.SIGKILL)
    assert first.wait(10) == -signal.SIGKILL
    await api.aclose()
    assert await stack.outgoing(PERSON) == []

    _, api = await stack.start_process()
    sent = await settled_outgoing(stack, PERSON, 1)
    assert len(sent) == 1
    assert await _replies(engine) == [("opt_out_confirmation", "sent")]
    await api.aclose()


async def test_kill_9_while_the_confirmation_is_in_flight_sends_exactly_one(
    stack: Stack, engine: AsyncEngine
) -> None:
    await stack.webhook()
    # OpenPhone answers slowly: the process dies after `sending` was committed, mid-POST.
    await stack.sim.faults(slow_rate=1.0, slow_seconds=3.0)
    first, api = await stack.start_process()
    await stack.sim.inbound_message(sender=PERSON, to=stack.line, text="unsubscribe")
    await eventually(lambda: _status_is(engine, "sending"), within=30, every=0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    await api.aclose()
    await stack.sim.faults()

    _, api = await stack.start_process()
    await eventually(lambda: _status_is(engine, "sent"), within=30)
    sent = await settled_outgoing(stack, PERSON, 1)
    assert len(sent) == 1
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT attempts, message_id FROM outbound_messages"))).one()
    assert row.message_id == sent[0]["id"]
    await api.aclose()


async def test_kill_9_after_openphone_took_the_message_but_the_answer_was_lost(
    stack: Stack, engine: AsyncEngine
) -> None:
    await stack.webhook()
    # OpenPhone creates the message, then answers 500: the outcome is unknown, the intent stays
    # `sending` until the retry; the process dies in between. The restart must find the message.
    await stack.sim.faults(
        rest_error_rate=1.0, rest_error_statuses=[500], rest_error_after_send=True
    )
    first, api = await stack.start_process(egress_retry_initial=10.0)
    await stack.sim.inbound_message(sender=PERSON, to=stack.line, text="STOP")
    await eventually(lambda: _unknown_outcome(engine), within=30, every=0.02)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    await api.aclose()
    assert len(await stack.outgoing(PERSON)) == 1, "OpenPhone has the message already"
    await stack.sim.faults()

    _, api = await stack.start_process(egress_retry_initial=0.2)
    async with engine.connect() as conn:
        await conn.execute(text("UPDATE outbound_messages SET next_attempt_at = now()"))
        await conn.commit()
    await eventually(lambda: _status_is(engine, "sent"), within=30)
    sent = await settled_outgoing(stack, PERSON, 1)
    async with engine.connect() as conn:
        row = (await conn.execute(text("SELECT attempts, message_id FROM outbound_messages"))).one()
    assert len(sent) == 1
    assert (row.attempts, row.message_id) == (1, sent[0]["id"]), "looked up, not sent again"
    await api.aclose()


async def _unknown_outcome(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        query = text("SELECT status, attempts, last_error FROM outbound_messages")
        row = (await conn.execute(query)).first()
    return row is not None and row.status == "sending" and row.last_error is not None


async def test_a_poison_message_goes_to_the_dlq_with_its_reason_and_the_partition_flows_on(
    stack: Stack,
) -> None:
    await stack.webhook()
    async with stack.compliance() as api:
        broker: KafkaBroker = make_broker(stack.bootstrap, client_id="e2e-poison")
        await broker.start()
        poison = b'{"event_id": "EVbad", "type": "message.received", "data": {"id": "ACbad"}}'
        metadata = await publish_record(
            broker,
            OutgoingRecord(
                stack.topics["openphone.messages.v1"],
                PERSON.encode(),
                poison,
                {"event-id": "EVbad"},
            ),
        )
        await broker.stop()
        # The same person's next message lands on the same partition, after the poison.
        await stack.sim.inbound_message(sender=PERSON, to=stack.line, text="STOP")

        await eventually(lambda: has_status(api, "opted_out"))
        dead = await eventually(lambda: stack.records(stack.dlq))
        headers = {k: v.decode() for k, v in dead[0].headers}
        assert dead[0].value == poison
        assert headers["x-error-type"] == "pydantic_core._pydantic_core.ValidationError"
        assert "validation error" in headers["x-error-message"]
        assert (
            headers["x-original-topic"],
            headers["x-original-partition"],
            headers["x-original-offset"],
        ) == (
            stack.topics["openphone.messages.v1"],
            str(metadata.partition),
            str(metadata.offset),
        )
        assert headers["x-consumer-group"] == stack.group
        assert len(await settled_outgoing(stack, PERSON, 1)) == 1


async def _replies(engine: AsyncEngine) -> list[tuple[str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT purpose, status FROM outbound_messages ORDER BY requested_at")
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def _status_is(engine: AsyncEngine, status: str) -> bool:
    return any(s == status for _, s in await _replies(engine))
