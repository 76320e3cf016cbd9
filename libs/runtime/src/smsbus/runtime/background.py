"""The loops a service runs for as long as it lives (Kafka connection, outbox relay, senders):
started in the lifespan, stopped when it ends, last started first."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)

STOP_GRACE = 15.0
"""Seconds a loop has to end once cancelled; one that does not is left behind (and logged):
a stuck loop must not keep the process from shutting down."""


class Background:
    def __init__(self, *, grace: float = STOP_GRACE) -> None:
        self._tasks: list[asyncio.Task[None]] = []
        self._grace = grace

    def start(self, loop: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(loop, name=name))

    async def stop(self) -> None:
        """Cancels each and waits for it to end; one that already failed, or that does not end
        within the grace, does not keep the others from stopping."""
        while self._tasks:
            task = self._tasks.pop()
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=self._grace)
            if not done:
                logger.error(
                    "%s did not stop within %.0fs of being cancelled; left behind, waiting in %s",
                    task.get_name(), self._grace, _waiting_in(task),
                )  # fmt: skip
                continue
            with contextlib.suppress(asyncio.CancelledError, Exception):
                task.result()


def _waiting_in(task: asyncio.Task[None]) -> str:
    """The coroutines the task is suspended in, outermost first, as `function (file:line)`
    (a suspended task's get_stack() shows only the outermost)."""
    chain: list[str] = []
    awaited: object = task.get_coro()
    while (frame := getattr(awaited, "cr_frame", None)) is not None:
        chain.append(f"{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})")
        awaited = getattr(awaited, "cr_await", None)
    return " > ".join(chain) or "an unknown place"
