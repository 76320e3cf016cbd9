"""What the reconciler bench measures besides wall time: HTTP round trips, SQL statements."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine


class TimedTransport(httpx.AsyncBaseTransport):
    """Counts the client's HTTP round trips and the time spent in them."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.count = 0
        self.seconds = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self.seconds += time.perf_counter() - started
        self.count += 1
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class Statements:
    """Every SQL statement any engine of this process executes, by kind, while `on`."""

    def __init__(self) -> None:
        self.on = False
        self.kinds: Counter[str] = Counter()
        self.seconds = 0.0
        self._started: dict[int, float] = {}
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if self.on:
            self._started[id(cursor)] = time.perf_counter()
            self.kinds[" ".join(statement.split()[:3])] += 1

    def _after(self, _conn: Any, cursor: Any, *_: Any) -> None:
        started = self._started.pop(id(cursor), None)
        if started is not None:
            self.seconds += time.perf_counter() - started

    def reset(self) -> None:
        self.kinds, self.seconds, self.on = Counter(), 0.0, True


STATEMENTS = Statements()
