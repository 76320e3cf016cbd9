"""The simulated clock: what OpenPhone's timestamps (createdAt…) and its schedule run on.

It follows real time at real pace from a settable origin, or stands still when frozen (tests step it
with `advance`). Signature timestamps do not use it: receivers check those against their own
wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class SimClock:
    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._origin = datetime.now(UTC)
        self._origin_tick = monotonic()
        self._frozen = False

    @property
    def frozen(self) -> bool:
        return self._frozen

    def now(self) -> datetime:
        if self._frozen:
            return self._origin
        return self._origin + timedelta(seconds=self._monotonic() - self._origin_tick)

    def set(self, moment: datetime, *, frozen: bool | None = None) -> None:
        self._origin = moment.astimezone(UTC)
        self._origin_tick = self._monotonic()
        if frozen is not None:
            self._frozen = frozen

    def freeze(self, frozen: bool = True) -> None:
        self.set(self.now(), frozen=frozen)

    def advance(self, seconds: float) -> None:
        self.set(self.now() + timedelta(seconds=seconds))

    def seconds_until(self, moment: datetime) -> float | None:
        """Real seconds until the clock shows `moment`; None when frozen (`advance` gets there)."""
        remaining = (moment - self.now()).total_seconds()
        if remaining <= 0:
            return 0.0
        return None if self._frozen else remaining


def iso(moment: datetime) -> str:
    """OpenPhone's timestamp format: ISO 8601, milliseconds, `Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
