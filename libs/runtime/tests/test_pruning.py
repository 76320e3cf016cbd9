import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.db import make_sessions
from smsbus.runtime.inbox import mark_processed
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.pruning import Retention, prune_forever, prune_once
from smsbus.runtime.testing import eventually

pytestmark = pytest.mark.integration

DAY, MINUTE, SECOND = timedelta(days=1), timedelta(minutes=1), timedelta(seconds=1)
KEEP = Retention(inbox=timedelta(days=35), outbox=timedelta(hours=24))

_HANDLED = text(
    "INSERT INTO processed_events (consumer, dedupe_key, event_id, processed_at) "
    "VALUES (:consumer, :key, :key, now() - CAST(:age AS interval))"
)
_QUEUED = text(
    "INSERT INTO outbox (event_id, event_type, topic, value, headers, created_at, published_at) "
    "VALUES (:id, 'contact.updated', 't', 'v', '{}', now() - CAST(:age AS interval), "
    "now() - CAST(:published AS interval))"
)


async def handled(engine: AsyncEngine, consumer: str, key: str, age: timedelta) -> None:
    """An inbox row for `key`, handled `age` ago."""
    async with engine.begin() as conn:
        await conn.execute(_HANDLED, {"consumer": consumer, "key": key, "age": age})


async def queued(
    engine: AsyncEngine, event_id: str, age: timedelta, published_age: timedelta | None
) -> None:
    """An outbox row created `age` ago, published `published_age` ago (None: not yet)."""
    async with engine.begin() as conn:
        await conn.execute(_QUEUED, {"id": event_id, "age": age, "published": published_age})


async def column(engine: AsyncEngine, query: str) -> list[str]:
    async with engine.connect() as conn:
        return sorted((await conn.execute(text(query))).scalars().all())


async def test_inbox_rows_go_once_older_than_the_retention_whichever_consumer(
    runtime_tables: AsyncEngine,
) -> None:
    for consumer, key, age in [
        ("a", "old-a", 36 * DAY),
        ("b", "old-b", 40 * DAY),
        ("a", "recent-a", 34 * DAY),
        ("b", "recent-b", 1 * SECOND),
    ]:
        await handled(runtime_tables, consumer, key, age)

    deleted = await prune_once(runtime_tables, KEEP)

    assert deleted["processed_events"] == 2
    remaining = await column(runtime_tables, "SELECT dedupe_key FROM processed_events")
    assert remaining == ["recent-a", "recent-b"]


async def test_a_pruned_events_copy_is_new_again_a_kept_ones_is_not(
    runtime_tables: AsyncEngine, make_event
) -> None:
    old, recent = make_event(1), make_event(2)
    await handled(runtime_tables, "svc", old.dedupe_key, 36 * DAY)
    await handled(runtime_tables, "svc", recent.dedupe_key, DAY)

    await prune_once(runtime_tables, KEEP)

    async with make_sessions(runtime_tables)() as session, session.begin():
        assert await mark_processed(session=session, consumer="svc", envelope=old)
        assert not await mark_processed(session=session, consumer="svc", envelope=recent)


async def test_only_published_outbox_rows_past_the_retention_go_never_a_pending_one(
    runtime_tables: AsyncEngine,
) -> None:
    await queued(runtime_tables, "published-long-ago", 3 * DAY, 3 * DAY)
    await queued(runtime_tables, "published-just-now", 3 * DAY, MINUTE)
    await queued(runtime_tables, "pending-for-days", 30 * DAY, None)
    await queued(runtime_tables, "pending-new", 1 * SECOND, None)

    deleted = await prune_once(runtime_tables, KEEP)

    assert deleted["outbox"] == 1
    remaining = await column(runtime_tables, "SELECT event_id FROM outbox")
    assert remaining == ["pending-for-days", "pending-new", "published-just-now"]


async def test_a_backlog_goes_batch_after_batch_and_is_counted(
    runtime_tables: AsyncEngine,
) -> None:
    for n in range(5):
        await handled(runtime_tables, "svc", f"old-{n}", 50 * DAY)
        await queued(runtime_tables, f"sent-{n}", 2 * DAY, 2 * DAY)
    metrics = Metrics("pruning_test")
    small_batches = Retention(inbox=KEEP.inbox, outbox=KEEP.outbox, batch=2)

    # An hour between passes: only "a full batch means more" can empty the tables in time.
    loop = asyncio.create_task(
        prune_forever(runtime_tables, small_batches, interval=3600, metrics=metrics)
    )
    try:
        await eventually(lambda: _all_pruned(runtime_tables), within=10)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)

    for table in ("processed_events", "outbox"):
        pruned = metrics.registry.get_sample_value(
            "smsbus_pruning_test_rows_pruned_total", {"table": table}
        )
        assert pruned == 5


async def _all_pruned(engine: AsyncEngine) -> bool:
    inbox = await column(engine, "SELECT dedupe_key FROM processed_events")
    outbox = await column(engine, "SELECT event_id FROM outbox")
    return not inbox and not outbox
