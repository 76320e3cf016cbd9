"""The dispatcher's knobs (from the service settings; tests and benchmarks pass their own)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class DispatchConfig:
    events_topic: str
    batch: int = 50
    interval: float = 1.0
    concurrency: int = 8
    lease: float = 120.0
    recheck: float = 3.0
    """Real seconds before an unknown outcome not found at OpenPhone is looked up again."""
    lookup_margin: timedelta = timedelta(minutes=5)
    retry_after: timedelta = timedelta(seconds=30)
