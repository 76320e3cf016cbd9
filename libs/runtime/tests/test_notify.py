"""The NOTIFY wake-up on a real PostgreSQL: a NOTIFY ends the wait, and a LISTEN connection
lost (the server ended it) is opened again before the next wait."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.notify import PgNotifications, notifications
from smsbus.runtime.testing import eventually, unique_name

pytestmark = pytest.mark.integration

HOUR = 3600.0


async def notify(engine: AsyncEngine, channel: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


async def listening_pids(engine: AsyncEngine, channel: str) -> list[int]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE query = :listen AND pid <> pg_backend_pid()"
            ),
            {"listen": f'LISTEN "{channel}"'},
        )
        return [row.pid for row in rows]


async def woken_by_notify(engine: AsyncEngine, wake: PgNotifications, channel: str) -> bool:
    """Waits (for an hour unless woken) while a NOTIFY is sent; True once the wait ended."""
    waiting = asyncio.create_task(wake.wait(HOUR))
    await eventually(lambda: listening_pids(engine, channel))
    assert not waiting.done(), "the wait ended before any NOTIFY"
    await notify(engine, channel)
    async with asyncio.timeout(30):  # a guard against hanging, not a measure of speed
        await waiting
    return waiting.done()


async def test_a_notify_ends_the_wait_and_a_lost_listener_is_replaced(
    db_engine: AsyncEngine,
) -> None:
    channel = unique_name("wake")
    async with notifications(db_engine, channel) as wake:
        assert await woken_by_notify(db_engine, wake, channel)

        (first,) = await listening_pids(db_engine, channel)
        async with db_engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})

        async def listening_again() -> list[int]:
            await wake.wait(0.0)  # each wait first checks its listener
            return [pid for pid in await listening_pids(db_engine, channel) if pid != first]

        replaced = await eventually(listening_again)
        assert first not in replaced
        assert await woken_by_notify(db_engine, wake, channel)

    async def closed() -> bool:
        return not await listening_pids(db_engine, channel)

    assert await eventually(closed)  # the LISTEN connection closed on exit
