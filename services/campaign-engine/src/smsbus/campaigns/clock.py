"""The engine's clock: real time plus an offset that tests (and demos) may set or advance."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._frozen = frozen
        self._offset = timedelta(0)
        self._at = start or datetime.now(UTC)
        self._mark = time.monotonic()
        if start is not None:
            self.set(start)

    def now(self) -> datetime:
        if self._frozen:
            return self._at
        return datetime.now(UTC) + self._offset

    def set(self, when: datetime) -> None:
        self._at = when
        self._offset = when - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        self.set(self.now() + timedelta(seconds=seconds))

    @property
    def frozen(self) -> bool:
        return self._frozen
