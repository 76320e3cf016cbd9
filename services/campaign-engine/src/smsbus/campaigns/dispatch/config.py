"""The dispatcher's knobs (from the service settings; tests and benchmarks pass their own)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DispatchConfig:
    events_topic: str
    requests_topic: str = "outbound.requests.v1"
    batch: int = 50
    interval: float = 1.0
