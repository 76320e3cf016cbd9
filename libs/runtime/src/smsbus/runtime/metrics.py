"""One Prometheus registry per service, the runtime's own instruments, and `/metrics`.

Names are `smsbus_<service>_<what>_<unit>`; counters end in `_total`; labels are bounded
(topic, outcome, error type: never an id or a phone number). A service adds its own with
`metrics.counter("consents_recorded_total", "...", ["outcome"])`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")


class Metrics:
    def __init__(self, service: str) -> None:
        self.service = service.replace("-", "_").lower()
        if not _NAME.fullmatch(self.service):
            raise ValueError(f"not a valid service name for metrics: {service!r}")
        self.registry = CollectorRegistry()
        self.events_handled = self.counter(
            "events_handled_total",
            "Events taken off a topic, by outcome (handled, dead_lettered, retried, skipped).",
            ["topic", "outcome"],
        )
        self.event_handling = self.histogram(
            "event_handling_duration_seconds",
            "Time to handle one batch of a partition's events (one transaction).",
            ["topic"],
        )
        self.partitions_paused = self.gauge(
            "partitions_paused", "Partitions paused on a transient fault, waiting to retry."
        )
        self.consumer_lag = self.gauge(
            "consumer_lag_records",
            "Records of a topic the consumer group has not committed yet, from the broker.",
            ["topic"],
        )
        self.dlq_size = self.gauge(
            "dlq_messages",
            "Records in the service's dead-letter topics, from the broker.",
            ["topic"],
        )
        self.dead_letters = self.counter(
            "dead_letters_total", "Events sent to a dead-letter topic.", ["topic", "error"]
        )
        self.outbox_published = self.counter(
            "outbox_published_total", "Outbox events published and acknowledged.", ["topic"]
        )
        self.outbox_pending = self.gauge(
            "outbox_pending_events", "Committed outbox events not yet published."
        )
        self.outbox_oldest_age = self.gauge(
            "outbox_oldest_pending_age_seconds", "Age of the oldest unpublished outbox event."
        )
        self.outbox_relay_errors = self.counter(
            "outbox_relay_errors_total", "Failed relay rounds, by error type.", ["error"]
        )
        self.rows_pruned = self.counter(
            "rows_pruned_total",
            "Rows deleted past their retention, by table (the inbox, the outbox, a service's own).",
            ["table"],
        )

    def name(self, what: str) -> str:
        if not _NAME.fullmatch(what):
            raise ValueError(f"not a valid metric name part: {what!r}")
        return f"smsbus_{self.service}_{what}"

    def counter(self, what: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        if not what.endswith("_total"):
            raise ValueError(f"counter names end in _total: {what!r}")
        return Counter(
            self.name(what.removesuffix("_total")),
            documentation,
            labels,
            registry=self.registry,
        )

    def gauge(self, what: str, documentation: str, labels: Sequence[str] = ()) -> Gauge:
        return Gauge(self.name(what), documentation, labels, registry=self.registry)

    def histogram(
        self,
        what: str,
        documentation: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = Histogram.DEFAULT_BUCKETS,
    ) -> Histogram:
        if not what.endswith("_seconds") and not what.endswith("_bytes"):
            raise ValueError(f"histograms are in seconds or bytes: {what!r}")
        return Histogram(
            self.name(what), documentation, labels, registry=self.registry, buckets=buckets
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)


def metrics_router(metrics: Metrics) -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def render_metrics() -> Response:
        return Response(content=metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return router
