"""on_message_received against a real PostgreSQL: one transaction with the inbox row; rows and
outbox events are the outcome."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.handlers import Deps, on_message_received
from smsbus.compliance.store import consent as store
from smsbus.contracts import decode_event
from smsbus.runtime.db import Sessions

from ..builders import LINE, NOW, PERSON, TEXTS, a_received_event

pytestmark = pytest.mark.integration

CONSENT_TOPIC = "test.consent.v1"


def deps(sessions: Sessions, now=NOW) -> Deps:
    return Deps(sessions=sessions, texts=TEXTS, clock=lambda: now, consent_topic=CONSENT_TOPIC)


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
        await on_message_received(copy, deps(sessions))

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
        await on_message_received(
            a_received_event(word, message_id=f"AC{n}"), deps(sessions, NOW + timedelta(seconds=n))
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
    await on_message_received(a_received_event("STOP", message_id="AC1"), deps(sessions))
    await on_message_received(a_received_event("thanks", message_id="AC2"), deps(sessions))
    await on_message_received(a_received_event("STOP", message_id="AC3"), deps(sessions))

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
    await on_message_received(a_received_event("HELP", message_id="AC1"), deps(sessions))
    await on_message_received(
        a_received_event("info", message_id="AC2"), deps(sessions, NOW + timedelta(hours=2))
    )
    await on_message_received(
        a_received_event("help", message_id="AC3"), deps(sessions, NOW + timedelta(hours=25))
    )

    assert await rows(engine, "SELECT purpose FROM outbound_messages") == [("help",), ("help",)]
    assert await rows(engine, "SELECT count(*) FROM consent_ledger") == [(0,)]
    assert await rows(engine, "SELECT count(*) FROM outbox") == [(0,)]


async def test_conversation_writes_only_the_inbox_row(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await on_message_received(
        a_received_event("we can stop at the supply store on the way"), deps(sessions)
    )

    assert await rows(engine, "SELECT count(*) FROM processed_events") == [(1,)]
    for table in ("consent_ledger", "suppressions", "outbound_messages", "outbox"):
        assert await rows(engine, f"SELECT count(*) FROM {table}") == [(0,)], table


async def test_the_ledger_refuses_updates_and_deletes(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await on_message_received(a_received_event("STOP"), deps(sessions))

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
        await on_message_received(
            event,
            Deps(sessions=sessions, texts=TEXTS, clock=broken_clock, consent_topic=CONSENT_TOPIC),
        )
    for table in (
        "processed_events",
        "consent_ledger",
        "suppressions",
        "outbound_messages",
        "outbox",
    ):
        assert await rows(engine, f"SELECT count(*) FROM {table}") == [(0,)], table

    await on_message_received(event, deps(sessions))
    assert await rows(engine, "SELECT count(*) FROM consent_ledger") == [(1,)]
