"""The dispatcher's knobs (from the service settings; tests and benchmarks pass their own)."""

from __future__ import annotations

from dataclasses import dataclass

from smsbus.campaigns.settings import Settings
from smsbus.contracts import route_for


@dataclass(frozen=True)
class DispatchConfig:
    events_topic: str
    requests_topic: str = route_for("send.requested").topic
    batch: int = 200
    """Members claimed per batch."""
    interval: float = 1.0
    """Seconds a lane waits after a batch that was not full."""
    lanes: int = 2
    """Batches in flight at once (each its own transaction): one writes while the next loads
    and asks compliance."""

    @classmethod
    def of(cls, settings: Settings) -> DispatchConfig:
        return cls(
            events_topic=settings.topic_for("member.sent"),
            requests_topic=settings.topic_for("send.requested"),
            batch=settings.dispatch_batch,
            interval=settings.dispatch_interval,
            lanes=settings.dispatch_lanes,
        )
