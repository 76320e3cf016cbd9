"""compliance's own instruments, beside the runtime's (events handled, DLQ writes, outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

from smsbus.runtime.metrics import Metrics

_LATENCY_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
)


@dataclass(frozen=True)
class ComplianceMetrics:
    base: Metrics
    decisions: Counter
    suppression_latency: Histogram
    egress: EgressMetrics

    @classmethod
    def create(cls, metrics: Metrics) -> ComplianceMetrics:
        return cls(
            base=metrics,
            decisions=metrics.counter(
                "decisions_total",
                "Inbound messages classified, by intent and language (und: none matched).",
                ["intent", "language"],
            ),
            suppression_latency=metrics.histogram(
                "suppression_latency_seconds",
                "From ingest's recorded_at (webhook accepted) to the consent change committed.",
                ["action"],
                _LATENCY_BUCKETS,
            ),
            egress=EgressMetrics.create(metrics),
        )


@dataclass(frozen=True)
class EgressMetrics:
    """The egress: every text asked for, and what became of it."""

    requests: Counter
    refusals: Counter
    deferrals: Counter
    latency: Histogram
    open: Gauge

    @classmethod
    def create(cls, metrics: Metrics) -> EgressMetrics:
        return cls(
            requests=metrics.counter(
                "egress_requests_total",
                "Send requests worked on, by purpose and outcome (accepted, refused, deferred, "
                "failed, held, retried, waiting: an unknown outcome awaiting its lookup).",
                ["purpose", "outcome"],
            ),
            refusals=metrics.counter(
                "egress_refusals_total",
                "Texts the gate refused, by purpose and reason (opted_out, dnc, "
                "campaign_inactive, expired…).",
                ["purpose", "reason"],
            ),
            deferrals=metrics.counter(
                "egress_deferrals_total",
                "Campaign texts deferred by an account-level refusal (bad key, no credit, A2P, "
                "the line's daily cap): their campaigns pause.",
                ["reason"],
            ),
            latency=metrics.histogram(
                "egress_latency_seconds",
                "From the request (or compliance's decision) to the text accepted by OpenPhone.",
                ["purpose"],
                _LATENCY_BUCKETS,
            ),
            open=metrics.gauge(
                "egress_open", "Requests not final yet (pending, held, sending).", ["purpose"]
            ),
        )
