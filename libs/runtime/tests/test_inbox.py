import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.db import make_sessions
from smsbus.runtime.inbox import mark_processed

pytestmark = pytest.mark.integration


async def test_the_same_dedupe_key_twice_has_one_effect(runtime_tables: AsyncEngine, make_event):
    engine = runtime_tables
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE effects (event_id text NOT NULL)"))
    sessions = make_sessions(engine)
    webhook = make_event(1)
    reconciled_copy = webhook.model_copy(update={"event_id": "synthetic-1"})

    outcomes = []
    for event in (webhook, reconciled_copy, webhook):
        async with sessions() as session, session.begin():
            new = await mark_processed(session=session, consumer="svc", envelope=event)
            outcomes.append(new)
            if new:
                connection = await session.connection()
                await connection.execute(
                    text("INSERT INTO effects VALUES (:id)"), {"id": event.event_id}
                )

    assert outcomes == [True, False, False]
    async with engine.connect() as conn:
        effects = (await conn.execute(text("SELECT event_id FROM effects"))).scalars().all()
        rows = (await conn.execute(text("SELECT consumer, dedupe_key FROM processed_events"))).all()
    assert effects == [webhook.event_id]
    assert [tuple(r) for r in rows] == [("svc", webhook.dedupe_key)]


async def test_another_consumer_and_a_rolled_back_claim_are_new(
    runtime_tables: AsyncEngine, make_event
) -> None:
    sessions = make_sessions(runtime_tables)
    event = make_event(2)
    async with sessions() as session:
        async with session.begin():
            assert await mark_processed(session=session, consumer="a", envelope=event)
        async with session.begin():
            assert await mark_processed(session=session, consumer="b", envelope=event)
        trans = await session.begin()
        assert await mark_processed(session=session, consumer="c", envelope=event)
        await trans.rollback()
        async with session.begin():
            assert await mark_processed(session=session, consumer="c", envelope=event)
