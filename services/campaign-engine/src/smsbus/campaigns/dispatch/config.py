"""The dispatcher's knobs (from the service settings; tests and benchmarks pass their own)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DispatchConfig:
    events_topic: str
    requests_topic: str = "outbound.requests.v1"
    batch: int = 200
    """Members claimed per batch."""
    interval: float = 1.0
    """Seconds a lane waits after a batch that was not full."""
    lanes: int = 2
    """Batches in flight at once (each its own transaction): one writes while the next loads
    and asks compliance."""
