"""compliance's own instruments, beside the runtime's (events handled, DLQ writes, outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

from smsbus.runtime.metrics import Metrics

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True)
class ComplianceMetrics:
    base: Metrics
    decisions: Counter
    suppression_latency: Histogram
    replies: Counter
    reply_latency: Histogram
    replies_open: Gauge
    dlq_size: Gauge

    @classmethod
    def create(cls, metrics: Metrics) -> ComplianceMetrics:
        return cls(
            base=metrics,
            decisions=metrics.counter(
                "decisions_total",
                "Inbound messages classified, by intent and language (und: none matched).",
                ["intent", "language"],
            ),
            suppression_latency=_histogram(
                metrics,
                "suppression_latency_seconds",
                "From ingest's recorded_at (webhook accepted) to the consent change committed.",
                ["action"],
            ),
            replies=metrics.counter(
                "replies_total",
                "Reply intents worked on, by kind (opt_out_confirmation, opt_in_confirmation, "
                "help) and outcome (sent, retried, failed, cancelled).",
                ["kind", "outcome"],
            ),
            reply_latency=_histogram(
                metrics,
                "reply_latency_seconds",
                "From the decision to the reply accepted by OpenPhone.",
                ["kind"],
            ),
            replies_open=metrics.gauge(
                "replies_open", "Reply intents not sent yet (pending or sending)."
            ),
            dlq_size=metrics.gauge(
                "dlq_messages", "Records in compliance's dead-letter topic.", ["topic"]
            ),
        )


def _histogram(metrics: Metrics, what: str, documentation: str, labels: list[str]) -> Histogram:
    if not what.endswith("_seconds"):
        raise ValueError(f"histograms are in seconds: {what!r}")
    return Histogram(
        metrics.name(what),
        documentation,
        labels,
        registry=metrics.registry,
        buckets=_LATENCY_BUCKETS,
    )
