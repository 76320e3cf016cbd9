"""Compliance's routes, run as one batch of the runtime's consumer, against a real PostgreSQL: one transaction with the inbox row; rows and
outbox events are the outcome."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.handlers import Deps, routes
from smsbus.compliance.store import consent as store
from smsbus.contracts import decode_event
from smsbus.runtime.batches import handle_in_one_transaction
from smsbus.runtime.db import Sessions

from ..builders import LINE, NOW, PERSON, TEXTS, a_received_event

pytestmark = pytest.mark.integration

CONSENT_TOPIC = "test.consent.v1"


async def handle(sessions: Sessions, *events, now=NOW, clock=None) -> None:
    """The events as one batch of the runtime's consumer: one transaction with their inbox rows."""
    deps = Deps(texts=TEXTS, clock=clock or (lambda: now), consent_topic=CONSENT_TOPIC)
    await handle_in_one_transaction(
        sessions=sessions, consumer="compliance", routes=routes(deps), events=events
    )


async def rows(engine: AsyncEngine, query: str) -> list[tuple]:
    async with engine.connect() as conn:
        return [tuple(row) for row in (await conn.execute(text(query))).all()]


async def test_stop_three_webhook_copies_and_a_reconciled_copy_make_one_revocation(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    webhook = a_received_event("STOP", message_id="AC1")
    copies = [
        webhook,
        webhook,
        webhook,
        a_received_event("STOP", message_id="AC1", source="reconciler", event_id="reconciler-AC1"),
    ]
    assert {c.dedupe_key for c in copies} == {"message.received:AC1"}

    for copy in copies:
        await handle(sessions, copy)

    ledger = await rows(
        engine,
        "SELECT phone, action, source, evidence->>'message_id', evidence->>'text', classifier_version, received_at, dedupe_key FROM consent_ledger",
    )
    assert len(ledger) == 1
    phone, action, source, message_id, evidence_text, version, received, dedupe = ledger[0]
    assert (phone, action, source, message_id, evidence_text) == (
        PERSON,
        "revoked",
        "sms",
        "AC1",
        "STOP",
    )
    assert version
    assert (received, dedupe) == (NOW, "message.received:AC1")
    assert await rows(engine, "SELECT phone FROM suppressions") == [(PERSON,)]
    assert await rows(engine, "SELECT purpose, phone, line, status FROM outbound_messages") == [
        ("opt_out_confirmation", PERSON, LINE, "pending")
    ]
    outbox = await rows(engine, "SELECT topic, key, value FROM outbox")
    assert len(outbox) == 1
    topic, key, value = outbox[0]
    event = decode_event(value)
    assert (topic, key, event.type, event.source) == (
        CONSENT_TOPIC,
        PERSON.encode(),
        "consent.revoked",
        "compliance",
    )
    assert event.data.phone == PERSON
    assert event.data.evidence.message_id == "AC1"
    assert event.correlation_id == webhook.event_id
    assert await rows(engine, "SELECT count(*) FROM processed_events") == [(1,)]


async def test_stop_start_stop_leaves_three_entries_in_order_and_ends_opted_out(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    for n, word in enumerate(["STOP", "START", "stop please"], start=1):
        await handle(
            sessions, a_received_event(word, message_id=f"AC{n}"), now=NOW + timedelta(seconds=n)
        )

    async with sessions() as session:
        entries = await store.ledger(session=session, phone=PERSON)
        state = await store.load_state(session=session, phone=PERSON)
    assert [(e.action, e.evidence.message_id, e.evidence.text) for e in entries] == [
        ("revoked", "AC1", "STOP"),
        ("granted", "AC2", "START"),
        ("revoked", "AC3", "stop please"),
    ]
    assert entries[1].consent_type == "express"
    assert (state.status, state.suppressed) == ("opted_out", True)
    kinds = await rows(engine, "SELECT purpose FROM outbound_messages ORDER BY requested_at")
    assert kinds == [("opt_out_confirmation",), ("opt_in_confirmation",), ("opt_out_confirmation",)]
    events = [
        decode_event(v).type for (v,) in await rows(engine, "SELECT value FROM outbox ORDER BY id")
    ]
    assert events == ["consent.revoked", "consent.granted", "consent.revoked"]


async def test_a_suppressed_number_that_writes_thanks_stays_suppressed(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await handle(sessions, a_received_event("STOP", message_id="AC1"))
    await handle(sessions, a_received_event("thanks", message_id="AC2"))
    await handle(sessions, a_received_event("STOP", message_id="AC3"))

    assert await rows(engine, "SELECT phone FROM suppressions") == [(PERSON,)]
    assert await rows(engine, "SELECT action FROM consent_ledger ORDER BY id") == [
        ("revoked",),
        ("revoked",),
    ]
    assert await rows(engine, "SELECT purpose FROM outbound_messages") == [
        ("opt_out_confirmation",)
    ], "no second confirmation"


async def test_help_is_answered_once_per_day_and_changes_no_consent(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await handle(sessions, a_received_event("HELP", message_id="AC1"))
    await handle(sessions, a_received_event("info", message_id="AC2"), now=NOW + timedelta(hours=2))
    await handle(
        sessions, a_received_event("help", message_id="AC3"), now=NOW + timedelta(hours=25)
    )

    assert await rows(engine, "SELECT purpose FROM outbound_messages") == [("help",), ("help",)]
    assert await rows(engine, "SELECT count(*) FROM consent_ledger") == [(0,)]
    assert await rows(engine, "SELECT count(*) FROM outbox") == [(0,)]


async def test_conversation_writes_only_the_inbox_row(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await handle(sessions, a_received_event("we can stop at the supply store on the way"))

    assert await rows(engine, "SELECT count(*) FROM processed_events") == [(1,)]
    for table in ("consent_ledger", "suppressions", "outbound_messages", "outbox"):
        assert await rows(engine, f"SELECT count(*) FROM {table}") == [(0,)], table


async def test_the_ledger_refuses_updates_and_deletes(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await handle(sessions, a_received_event("STOP"))

    for statement in (
        "UPDATE consent_ledger SET action = 'granted'",
        "DELETE FROM consent_ledger",
        "TRUNCATE consent_ledger",
    ):
        async with engine.begin() as conn:
            with pytest.raises(DBAPIError, match="append-only"):
                await conn.execute(text(statement))
    assert await rows(engine, "SELECT action FROM consent_ledger") == [("revoked",)]


async def test_a_failure_mid_transaction_leaves_nothing_and_the_retry_succeeds(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    event = a_received_event("STOP")

    def broken_clock():
        raise ConnectionResetError("database went away")

    with pytest.raises(ConnectionResetError):
        await handle(sessions, event, clock=broken_clock)
    for table in (
        "processed_events",
        "consent_ledger",
        "suppressions",
        "outbound_messages",
        "outbox",
    ):
        assert await rows(engine, f"SELECT count(*) FROM {table}") == [(0,)], table

    await handle(sessions, event)
    assert await rows(engine, "SELECT count(*) FROM consent_ledger") == [(1,)]


async def test_one_batch_decides_as_one_message_at_a_time_would(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    """Several numbers, a number that changes twice, HELP, chatter and a duplicate, all in one
    batch: each number's messages are decided in order against its state so far."""
    other, third = "+14155550111", "+14155550122"
    batch = [
        a_received_event("STOP", message_id="AC1"),
        a_received_event("HELP", message_id="AC2", phone=other),
        a_received_event("START", message_id="AC3"),
        a_received_event("thanks", message_id="AC4", phone=third),
        a_received_event("STOP", message_id="AC1"),  # a copy of the first
        a_received_event("stop please", message_id="AC5"),
        a_received_event("STOP", message_id="AC6", phone=other),
        a_received_event("HELP", message_id="AC7", phone=other),
    ]
    await handle(sessions, *batch)

    ledger = await rows(
        engine, "SELECT phone, action, evidence->>'message_id' FROM consent_ledger ORDER BY id"
    )
    assert ledger == [
        (PERSON, "revoked", "AC1"),
        (PERSON, "granted", "AC3"),
        (PERSON, "revoked", "AC5"),
        (other, "revoked", "AC6"),
    ]
    assert await rows(engine, "SELECT phone FROM suppressions ORDER BY phone") == [
        (other,),
        (PERSON,),
    ]
    replies = await rows(
        engine,
        "SELECT phone, purpose, trigger_message_id FROM outbound_messages ORDER BY requested_at, trigger_message_id",
    )
    assert sorted(replies) == sorted(
        [
            (PERSON, "opt_out_confirmation", "AC1"),
            (other, "help", "AC2"),
            (PERSON, "opt_in_confirmation", "AC3"),
            (PERSON, "opt_out_confirmation", "AC5"),
            (other, "opt_out_confirmation", "AC6"),
        ]
    ), "the second HELP within a day is not answered"
    assert await rows(engine, "SELECT count(*) FROM processed_events") == [(7,)]
    events = [
        decode_event(v).type for (v,) in await rows(engine, "SELECT value FROM outbox ORDER BY id")
    ]
    assert events == ["consent.revoked", "consent.granted", "consent.revoked", "consent.revoked"]


async def test_numbers_with_one_request_each_are_written_together_as_one_at_a_time_would(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    returning, stopping, helped, chatting = (f"+1415555013{n}" for n in range(4))
    await handle(sessions, a_received_event("STOP", message_id="AC0", phone=returning))
    await handle(
        sessions,
        a_received_event("START", message_id="AC1", phone=returning),
        a_received_event("Please stop texting me", message_id="AC2", phone=stopping),
        a_received_event("HELP", message_id="AC3", phone=helped),
        a_received_event("see you at 5", message_id="AC4", phone=chatting),
        now=NOW + timedelta(minutes=1),
    )

    ledger = await rows(
        engine,
        "SELECT phone, action, consent_type, evidence->>'message_id' FROM consent_ledger ORDER BY id",
    )
    assert ledger == [
        (returning, "revoked", None, "AC0"),
        (returning, "granted", "express", "AC1"),
        (stopping, "revoked", None, "AC2"),
    ]
    assert await rows(engine, "SELECT phone FROM suppressions") == [(stopping,)]
    replies = await rows(
        engine, "SELECT phone, purpose, trigger_message_id, status FROM outbound_messages"
    )
    assert sorted(replies) == sorted(
        [
            (returning, "opt_out_confirmation", "AC0", "pending"),
            (returning, "opt_in_confirmation", "AC1", "pending"),
            (stopping, "opt_out_confirmation", "AC2", "pending"),
            (helped, "help", "AC3", "pending"),
        ]
    )
    assert await rows(engine, "SELECT phone FROM help_replies") == [(helped,)]
    async with sessions() as session:
        states = await store.load_states(session=session, phones=[returning, stopping, helped])
    assert (states[returning].status, states[returning].suppressed) == ("opted_in", False)
    assert (states[stopping].status, states[stopping].suppressed) == ("opted_out", True)
    assert states[helped].last_help_at is not None
