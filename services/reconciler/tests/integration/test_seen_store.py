"""The seen set at the size of a busy window: more facts than one PostgreSQL statement can carry
parameters for (asyncpg: 32,767). A run that found 4,750 missing facts failed on it, and so did
every retry of its window (bench/reconciler found it)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import Message
from smsbus.reconciler.domain.facts import Fact
from smsbus.reconciler.store.seen import claim_missing, forgotten, seen_keys
from smsbus.runtime.db import make_sessions
from smsbus.runtime.pruning import Retention, prune_once

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def facts(count: int) -> list[Fact]:
    message = Message.model_validate(
        {
            "id": "AC0", "object": "message", "from": "+15555550142", "to": ["+15555550100"],
            "direction": "incoming", "text": "hi", "status": "received", "createdAt": NOW,
        }
    )  # fmt: skip
    return [
        Fact("message.received", f"AC{n:06d}", NOW - timedelta(seconds=n), message)
        for n in range(count)
    ]


async def test_thousands_of_missing_facts_are_claimed_and_found_in_one_transaction(
    engine: AsyncEngine,
) -> None:
    missing = facts(5_000)
    sessions = make_sessions(engine)

    async with sessions() as session, session.begin():
        claimed = await claim_missing(session=session, facts=missing, seen_at=NOW)
    async with sessions() as session, session.begin():
        again = await claim_missing(session=session, facts=missing[:10], seen_at=NOW)
        wanted = [fact.dedupe_key for fact in missing] + [
            f"message.received:X{n}" for n in range(40_000)
        ]
        known = await seen_keys(session=session, keys=wanted)

    assert claimed == {fact.dedupe_key for fact in missing}
    assert again == set()
    assert known == claimed


async def test_facts_older_than_the_memory_are_forgotten_batch_by_batch_and_younger_ones_kept(
    engine: AsyncEngine,
) -> None:
    now = datetime.now(UTC)  # pruning ages rows by the database's clock
    ages = {
        "forgotten-a": 45,
        "forgotten-b": 31,
        "forgotten-c": 30.01,
        "kept-a": 29.99,
        "kept-b": 1,
    }
    message = facts(1)[0].data
    aged = [
        Fact("message.received", key, now - timedelta(days=days), message)
        for key, days in ages.items()
    ]
    async with make_sessions(engine)() as session, session.begin():
        await claim_missing(session=session, facts=aged, seen_at=now)

    retention = Retention(
        inbox=timedelta(days=35), outbox=timedelta(days=1), batch=2,
        more=(forgotten(timedelta(days=30)),),
    )  # fmt: skip
    deleted = [(await prune_once(engine, retention))["seen_events"] for _ in range(3)]

    async with make_sessions(engine)() as session:
        left = await seen_keys(session=session, keys=[fact.dedupe_key for fact in aged])
    assert left == {"message.received:kept-a", "message.received:kept-b"}
    assert deleted == [2, 1, 0]  # a batch at a time
