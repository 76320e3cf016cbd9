"""campaign-engine's own instruments, beside the runtime's (events handled, DLQ writes, outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge

from smsbus.runtime.metrics import Metrics


@dataclass(frozen=True)
class CampaignMetrics:
    dispatched: Counter
    pauses: Counter
    paused: Gauge

    @classmethod
    def create(cls, metrics: Metrics) -> CampaignMetrics:
        return cls(
            dispatched=metrics.counter(
                "members_dispatched_total",
                "Member outcomes: requested, skipped, deferred (dispatcher); sent, refused, "
                "failed, requeued, capped, paused (the egress's results).",
                ["outcome"],
            ),
            pauses=metrics.counter(
                "campaign_pauses_total",
                "Campaigns paused, by reason (manual or a deferral).",
                ["reason"],
            ),
            paused=metrics.gauge(
                "campaigns_paused", "Campaigns paused now, by reason.", ["reason"]
            ),
        )

    def count(self, outcome: str) -> None:
        self.dispatched.labels(outcome=outcome).inc()

    def pause(self, reason: str) -> None:
        self.pauses.labels(reason=reason).inc()

    def show_paused(self, counts: dict[str, int]) -> None:
        self.paused.clear()  # a reason no campaign is paused for any more drops out
        for reason, count in counts.items():
            self.paused.labels(reason=reason).set(count)
