"""OpenPhone's 10 requests per second per API key, as a token bucket per key."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    checked: float


class RateLimiter:
    def __init__(self, per_second: float, *, monotonic: Callable[[], float] = time.monotonic):
        self._rate = per_second
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}

    def allow(self, key: str) -> bool:
        if self._rate <= 0:
            return True
        now = self._monotonic()
        bucket = self._buckets.setdefault(key, _Bucket(tokens=self._rate, checked=now))
        bucket.tokens = min(self._rate, bucket.tokens + (now - bucket.checked) * self._rate)
        bucket.checked = now
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True

    def retry_after(self) -> float:
        return 1 / self._rate if self._rate > 0 else 0.0
