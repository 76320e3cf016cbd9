"""A loop's wake-up by PostgreSQL NOTIFY: a committed row wakes its worker at once instead of
at the next poll (the outbox relay, compliance's egress lanes).

Best effort: while the LISTEN connection cannot be had, the worker polls (its `interval`); the
connection is checked before each wait and opened again once it was lost.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from smsbus.runtime.failures import error_message
from smsbus.runtime.loops import LocalWakeup

logger = logging.getLogger(__name__)


@asynccontextmanager
async def notifications(engine: AsyncEngine, channel: str) -> AsyncIterator[PgNotifications]:
    """A wake-up by NOTIFY on `channel`, listening from the start (a row committed during the
    first pass is not missed) until the block ends (its connection closed)."""
    wake = PgNotifications(engine, channel)
    await wake.listen()
    try:
        yield wake
    finally:
        await wake.close()


class PgNotifications:
    """A `Wakeup` fired by NOTIFY on `channel` (see `notifications`)."""

    def __init__(self, engine: AsyncEngine, channel: str) -> None:
        self._engine = engine
        self._channel = channel
        self._woken = LocalWakeup()
        self._conn: AsyncConnection | None = None
        self._driver: Any = None
        self._failing = False

    async def wait(self, at_most: float) -> None:
        await self.listen()
        await self._woken.wait(at_most)

    async def listen(self) -> None:
        """Opens the LISTEN connection unless it is open and alive; a failure is logged (once
        until it works again) and leaves the worker polling."""
        if self._conn is not None and not self._conn.closed and not self._driver.is_closed():
            return
        await self.close()
        try:
            conn = await self._engine.connect()
            try:
                driver = (await conn.get_raw_connection()).driver_connection
                if driver is None:
                    raise RuntimeError("no driver connection to LISTEN on")
                await driver.add_listener(self._channel, self._woken.set)
            except BaseException:
                await conn.close()
                raise
        except Exception as exc:
            if not self._failing:
                logger.warning(
                    "cannot LISTEN on %s (%s); polling", self._channel, error_message(exc)
                )
            self._failing = True
            return
        self._failing = False
        self._conn, self._driver = conn, driver

    async def close(self) -> None:
        conn, driver = self._conn, self._driver
        self._conn = self._driver = None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            if not driver.is_closed():
                await driver.remove_listener(self._channel, self._woken.set)
        with contextlib.suppress(Exception):
            # Invalidated, not returned to the pool: a connection that LISTENed is not reused.
            await conn.invalidate()
            await conn.close()
