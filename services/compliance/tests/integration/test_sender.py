"""The reply sender against a real PostgreSQL and the OpenPhone simulator: exactly one message
per intent, through crashes, unknown outcomes and opt-outs that overtake a reply."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.confirmations import ReplySender, SenderConfig
from smsbus.compliance.domain.classifier import classify
from smsbus.compliance.domain.decisions import Decision, ReplyIntent
from smsbus.compliance.store import consent as store
from smsbus.openphone import OpenPhoneClient
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff

pytestmark = pytest.mark.integration

PERSON = "+14155552671"
FAST = SenderConfig(retry=Backoff(initial=0.01, maximum=0.05), poll_interval=0.1)


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    async with running_simulator(speed=1000, demo_history=False) as running:
        yield running


@pytest.fixture
async def openphone(sim: RunningSimulator) -> AsyncIterator[OpenPhoneClient]:
    async with OpenPhoneClient(api_key=sim.api_key, base_url=sim.base_url) as client:
        yield client


async def add_reply(
    sessions: Sessions,
    sim: RunningSimulator,
    kind: str = "opt_out_confirmation",
    intent_id: str = "R1",
    at: datetime | None = None,
) -> ReplyIntent:
    reply = ReplyIntent(
        intent_id, kind, PERSON, sim.lines[0], f"Acme: {kind} {intent_id}", at or now(), "AC1"
    )  # type: ignore[arg-type]
    async with sessions() as session, session.begin():
        await store.apply_decision(session=session, decision=Decision(classify("x"), reply=reply))
    return reply


async def intent(engine: AsyncEngine, intent_id: str = "R1") -> dict:
    async with engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    text("SELECT * FROM reply_intents WHERE id = :id"), {"id": intent_id}
                )
            )
            .mappings()
            .one()
        )
        return dict(row)


async def outgoing(sim: RunningSimulator) -> list[dict]:
    return await sim.messages(direction="outgoing", to=PERSON)


async def test_a_pending_reply_is_sent_once_and_its_message_id_recorded(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    reply = await add_reply(sessions, sim)
    sender = ReplySender(engine=engine, client=openphone, clock=now, config=FAST)

    assert await sender.send_due() == 1
    assert await sender.send_due() == 0

    sent = await outgoing(sim)
    assert [(m["text"], m["from"]) for m in sent] == [(reply.text, sim.lines[0])]
    row = await intent(engine)
    assert (row["status"], row["openphone_message_id"], row["attempts"]) == (
        "sent",
        sent[0]["id"],
        1,
    )


async def test_after_a_crash_mid_send_the_message_is_looked_up_not_sent_again(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    reply = await add_reply(sessions, sim)
    # What a process killed right after its POST left behind: `sending`, and the message exists.
    started = now()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE reply_intents SET status = 'sending', attempts = 1, send_started_at = :at"
            ),
            {"at": started},
        )
    message = await openphone.send_message(from_=reply.line, to=[PERSON], content=reply.text)

    sender = ReplySender(engine=engine, client=openphone, clock=now, config=FAST)
    assert await sender.send_due() == 1

    assert [m["id"] for m in await outgoing(sim)] == [message.id]
    row = await intent(engine)
    assert (row["status"], row["openphone_message_id"]) == ("sent", message.id)


async def test_a_crash_before_the_post_reached_openphone_sends_after_the_lookup(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    await add_reply(sessions, sim)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE reply_intents SET status = 'sending', attempts = 1, send_started_at = :at"
            ),
            {"at": now() - timedelta(minutes=1)},  # long enough ago for the POST to have landed
        )

    sender = ReplySender(engine=engine, client=openphone, clock=now, config=FAST)
    assert await sender.send_due() == 1

    assert len(await outgoing(sim)) == 1
    assert (await intent(engine))["attempts"] == 2


async def test_a_post_that_may_still_land_is_not_repeated_yet(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    await add_reply(sessions, sim)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE reply_intents SET status = 'sending', attempts = 1, send_started_at = :at"
            ),
            {"at": now()},
        )

    sender = ReplySender(engine=engine, client=openphone, clock=now, config=FAST)
    assert await sender.send_due() == 0

    assert await outgoing(sim) == []
    row = await intent(engine)
    assert (row["status"], row["attempts"]) == ("sending", 1)


async def test_an_unknown_outcome_is_resolved_by_lookup_without_a_duplicate(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    await add_reply(sessions, sim)
    # OpenPhone accepts the message, then answers 500: the client raises SendOutcomeUnknown.
    await sim.faults(rest_error_rate=1.0, rest_error_statuses=[500], rest_error_after_send=True)
    sender = ReplySender(engine=engine, client=openphone, clock=now, config=FAST)

    assert await sender.send_due() == 0
    row = await intent(engine)
    assert row["status"] == "sending"
    assert "unknown outcome" in row["last_error"]

    await sim.faults()
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE reply_intents SET next_attempt_at = now()"))
    assert await sender.send_due() == 1
    sent = await outgoing(sim)
    assert len(sent) == 1
    assert (await intent(engine))["openphone_message_id"] == sent[0]["id"]


async def test_a_reply_decided_before_an_opt_out_is_cancelled(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    decided = now() - timedelta(seconds=5)
    await add_reply(sessions, sim, kind="help", intent_id="H1", at=decided)
    await add_reply(
        sessions,
        sim,
        kind="opt_out_confirmation",
        intent_id="C1",
        at=decided + timedelta(seconds=1),
    )
    async with engine.begin() as conn:
        await conn.execute(
            text("INSERT INTO suppressions VALUES (:p, 'E1', :at)"),
            {"p": PERSON, "at": decided + timedelta(seconds=1)},
        )

    sender = ReplySender(engine=engine, client=openphone, clock=now, config=FAST)
    assert await sender.send_due() == 1

    assert [m["text"] for m in await outgoing(sim)] == ["Acme: opt_out_confirmation C1"]
    assert (await intent(engine, "H1"))["status"] == "cancelled"


async def test_a_refused_send_fails_without_retrying(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    reply = ReplyIntent("R1", "help", "not-a-number", sim.lines[0], "Acme: help", now(), None)
    async with sessions() as session, session.begin():
        await store.add_reply(session=session, reply=reply)
    sender = ReplySender(engine=engine, client=openphone, clock=now, config=FAST)

    assert await sender.send_due() == 0
    row = await intent(engine)
    assert row["status"] == "failed"
    assert "400" in row["last_error"]


async def test_two_senders_never_send_one_intent_twice(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator, openphone: OpenPhoneClient
) -> None:
    import asyncio

    for n in range(6):
        await add_reply(sessions, sim, intent_id=f"R{n}")
    senders = [
        ReplySender(engine=engine, client=openphone, clock=now, config=FAST) for _ in range(3)
    ]

    counts = await asyncio.gather(*(s.send_due() for s in senders))

    assert sum(counts) == 6
    assert sorted(m["text"] for m in await outgoing(sim)) == sorted(
        f"Acme: opt_out_confirmation R{n}" for n in range(6)
    )
