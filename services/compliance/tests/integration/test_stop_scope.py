"""Under the revocation scope `purpose`, what a STOP answered is read from the egress's record
of what it sent (one statement per batch, against a real PostgreSQL): the purpose of the last
campaign text to the person on the line the STOP came in on, written as its id or its number."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.handlers import Deps, routes
from smsbus.runtime.batches import handle_in_one_transaction
from smsbus.runtime.db import Sessions

from ..builders import LINE, NOW, OUR_NUMBER, PERSON, TEXTS, a_received_event

pytestmark = pytest.mark.integration

OTHER = "+14155552672"
STRANGER = "+14155552673"


async def sent(engine: AsyncEngine, request_id: str, purpose: str, phone: str, line: str,
               minutes_ago: int) -> None:  # fmt: skip
    at = NOW - timedelta(minutes=minutes_ago)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO outbound_messages (id, purpose, priority, requester, phone, line, "
                "text, status, requested_at, next_attempt_at, attempts, recovered, "
                "send_started_at, sent_at) VALUES (:id, :purpose, 3, 'campaign-engine', :phone, "
                ":line, 'hi', 'sent', :at, :at, 1, false, :at, :at)"
            ),
            {"id": request_id, "purpose": purpose, "phone": phone, "line": line, "at": at},
        )


async def test_each_stop_ends_the_purpose_of_the_text_it_answered(
    engine: AsyncEngine, sessions: Sessions
) -> None:
    await sent(engine, "m1", "marketing", PERSON, OUR_NUMBER, 60)  # our number, not the PN id
    await sent(engine, "t1", "transactional", PERSON, "PNanother", 10)  # another line
    await sent(engine, "t2", "transactional", OTHER, LINE, 30)
    await sent(engine, "m2", "marketing", OTHER, LINE, 20)
    await sent(engine, "t3", "transactional", OTHER, LINE, -5)  # after the STOP: not answered
    deps = Deps(
        texts=TEXTS, clock=lambda: NOW, consent_topic="test.consent.v1", revocation_scope="purpose"
    )
    events = [
        a_received_event("STOP", message_id="AC1"),
        a_received_event("Stop texting me", message_id="AC2", phone=OTHER),
        a_received_event("STOP", message_id="AC3", phone=STRANGER),
    ]

    await handle_in_one_transaction(
        sessions=sessions, consumer="compliance", routes=routes(deps), events=events
    )

    async with engine.connect() as conn:
        ledger = (await conn.execute(text("SELECT phone, scope FROM consent_ledger"))).all()
        suppressed = (await conn.execute(text("SELECT phone FROM suppressions"))).scalars().all()
        replies = (await conn.execute(text(
            "SELECT phone, text FROM outbound_messages WHERE requester = 'compliance'"
        ))).all()  # fmt: skip
    assert sorted(map(tuple, ledger)) == [
        (PERSON, "marketing"),
        (OTHER, "marketing"),
        (STRANGER, "all"),  # answered nothing we sent: unclear is all
    ]
    assert suppressed == [STRANGER]
    english = TEXTS.in_language("en")
    assert sorted(map(tuple, replies)) == [
        (PERSON, english.opt_out_of("marketing")),
        (OTHER, english.opt_out_of("marketing")),
        (STRANGER, english.opt_out_confirmation),
    ]
