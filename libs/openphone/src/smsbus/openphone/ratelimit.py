"""A token bucket per OpenPhone API key, shared by every client in the process (a `Budget`
for a lone process; the services share one across processes: smsbus.runtime.budget).

OpenPhone allows 10 requests/s per key and answers 429 beyond. Every `OpenPhoneClient` built
for the same (base URL, key) gets the same `TokenBucket` from `shared_bucket`, so two services'
worth of callers in one process cannot add up to more than the key allows.

The bucket keeps one number, the time the next request may start if the bucket were empty (the
"theoretical arrival time" of GCRA, which is a token bucket counted in time). `acquire()` books
the next slot without awaiting, then sleeps once until it: callers are served in the order they
asked (fair), nobody polls (no busy-wait), and no asyncio primitive ties the bucket to one event
loop. A slot booked by a caller that is then cancelled stays used: the bucket errs on the slow side.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable

from smsbus.openphone.budget import Priority

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

DEFAULT_RATE = 10.0
"""Requests per second per key (OpenPhone's documented limit)."""
DEFAULT_BURST = 5
"""Requests that may start at once after a quiet spell. OpenPhone does not document how it
counts; against a server-side bucket of 10 this leaves half of it as headroom for network
bunching, and the 429 handling covers the rest."""


class TokenBucket:
    def __init__(
        self,
        *,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate
        self.burst = burst
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()  # booking is synchronous; this makes it thread-safe too
        self._next_at = clock()

    def reserve(self) -> float:
        """Book the next slot; return how long to wait before using it (0 when a token is free)."""
        with self._lock:
            now = self._clock()
            self._next_at = max(self._next_at, now)
            wait = max(0.0, self._next_at - self._tolerance - now)
            self._next_at += self._interval
            return wait

    async def acquire(self, priority: Priority = "transactional") -> float:
        """Priorities are not ordered here: one process's callers are served first come."""
        wait = self.reserve()
        slot = time.monotonic() + wait
        if wait > 0:
            await self._sleep(wait)
        return slot

    async def throttled(self, seconds: float) -> None:
        self.hold_off(seconds)

    def hold_off(self, seconds: float) -> None:
        """Start no request for `seconds`, whoever asks: OpenPhone said 429 to this key."""
        with self._lock:
            now = self._clock()
            self._next_at = max(self._next_at, now + seconds + self._tolerance)


_registry: dict[tuple[str, str], TokenBucket] = {}
_registry_lock = threading.Lock()


def _registry_key(base_url: str, api_key: str) -> tuple[str, str]:
    # The key itself is never kept here: only a digest that names it.
    return base_url.rstrip("/").lower(), hashlib.sha256(api_key.encode()).hexdigest()


def shared_bucket(
    base_url: str, api_key: str, *, rate: float = DEFAULT_RATE, burst: int = DEFAULT_BURST
) -> TokenBucket:
    """The process-wide bucket for this key at this base URL, created on first use.

    Asking again with another rate or burst is a configuration error and raises ValueError:
    two limits for one key cannot both hold.
    """
    key = _registry_key(base_url, api_key)
    with _registry_lock:
        bucket = _registry.get(key)
        if bucket is None:
            bucket = _registry[key] = TokenBucket(rate=rate, burst=burst)
        elif (bucket.rate, bucket.burst) != (rate, burst):
            raise ValueError(
                f"this key already has a bucket of {bucket.rate}/s burst {bucket.burst} "
                f"at {base_url}; asked for {rate}/s burst {burst}"
            )
        return bucket
