"""The loops a service runs for as long as it lives (Kafka connection, outbox relay, senders):
started in the lifespan, stopped when it ends, last started first."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any


class Background:
    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, loop: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(loop, name=name))

    async def stop(self) -> None:
        """Cancels each and waits for it to end; one that already failed does not keep the
        others from stopping."""
        while self._tasks:
            task = self._tasks.pop()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
