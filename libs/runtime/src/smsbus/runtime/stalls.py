"""Partitions paused on a transient fault: what `/readyz` reports while a dependency is down."""

from __future__ import annotations

import time
from dataclasses import dataclass

from smsbus.runtime.readiness import Check, NotReadyError


@dataclass(frozen=True, slots=True)
class Stall:
    group_id: str
    topic: str
    partition: int
    offset: int
    attempts: int
    error: str
    since: float


class Stalls:
    """Shared by a service's subscribers; `check()` makes it a readiness check."""

    def __init__(self) -> None:
        self._stalls: dict[tuple[str, str, int], Stall] = {}

    def stall(
        self, *, group_id: str, topic: str, partition: int, offset: int, attempts: int, error: str
    ) -> None:
        key = (group_id, topic, partition)
        previous = self._stalls.get(key)
        since = previous.since if previous and previous.offset == offset else time.monotonic()
        self._stalls[key] = Stall(group_id, topic, partition, offset, attempts, error, since)

    def clear(self, *, group_id: str, topic: str, partition: int) -> None:
        self._stalls.pop((group_id, topic, partition), None)

    def current(self) -> list[Stall]:
        return list(self._stalls.values())

    def __len__(self) -> int:
        return len(self._stalls)

    def check(self) -> Check:
        async def check() -> None:
            if not self._stalls:
                return
            now = time.monotonic()
            described = "; ".join(
                f"{s.topic}[{s.partition}]@{s.offset} ({s.group_id}) paused {now - s.since:.0f}s "
                f"after {s.attempts} attempts: {s.error}"
                for s in self._stalls.values()
            )
            raise NotReadyError(described)

        return check
