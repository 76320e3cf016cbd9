"""ingest-webhooks' own instruments, on the service's registry (`smsbus_ingest_*`).

Labels are bounded: an event type from the registry (or "unknown"), an outcome, a failure
reason, a topic. Never an id, never a phone number, never a type a body merely claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

from smsbus.runtime.metrics import Metrics

# Publishes and requests take milliseconds; Prometheus' default buckets start at 5 ms.
LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
SIZE_BUCKETS = (256, 512, 1024, 2048, 4096, 8192, 16384, 65536, 262144, 1048576)


@dataclass(frozen=True)
class IngestMetrics:
    """The instruments; `count()` and the label caches keep the per-webhook cost to a few
    dictionary lookups (prometheus-client's `labels()` takes a lock and validates each time)."""

    metrics: Metrics
    webhooks: Counter
    publish_duration: Histogram
    request_duration: Histogram
    body_size: Histogram
    in_flight: Gauge
    signature_failures: Counter

    @classmethod
    def create(cls, metrics: Metrics) -> IngestMetrics:
        return cls(
            metrics=metrics,
            webhooks=metrics.counter(
                "webhooks_total",
                "Webhooks answered, by event type and outcome (published, quarantined, "
                "unauthorized, too_large, unavailable, overloaded).",
                ["type", "outcome"],
            ),
            publish_duration=metrics.histogram(
                "publish_duration_seconds",
                "Time from publish to the broker's acknowledgement (acks=all), by topic.",
                ["topic"],
                buckets=LATENCY_BUCKETS,
            ),
            request_duration=metrics.histogram(
                "request_duration_seconds",
                "Time to answer POST /webhooks/openphone, by outcome.",
                ["outcome"],
                buckets=LATENCY_BUCKETS,
            ),
            body_size=metrics.histogram(
                "request_body_bytes",
                "Size of the webhook bodies read (a 413 is counted at the limit).",
                buckets=SIZE_BUCKETS,
            ),
            in_flight=metrics.gauge("requests_in_flight", "Webhook requests being handled."),
            signature_failures=metrics.counter(
                "signature_failures_total", "Webhooks refused with 401, by reason.", ["reason"]
            ),
        )

    def answered(self, type_label: str, outcome: str, seconds: float) -> None:
        _child(self.webhooks, type_label, outcome).inc()
        _child(self.request_duration, outcome).observe(seconds)

    def published(self, topic: str, seconds: float) -> None:
        _child(self.publish_duration, topic).observe(seconds)


@cache
def _child(metric: MetricWrapperBase, *labels: str) -> Any:
    # Label values are bounded (types, outcomes, topics), so the cache is too.
    return metric.labels(*labels)
