"""reconciler's own instruments, beside the runtime's (events handled, DLQ writes, outbox)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

from smsbus.runtime.metrics import Metrics

_RUN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


@dataclass(frozen=True)
class ReconcilerMetrics:
    base: Metrics
    runs: Counter
    run_duration: Histogram
    checked: Counter
    missing: Counter
    last_success: Gauge

    @classmethod
    def create(cls, metrics: Metrics) -> ReconcilerMetrics:
        return cls(
            base=metrics,
            runs=metrics.counter(
                "runs_total",
                "Reconciliation runs by outcome (succeeded, failed, deferred).",
                ["outcome"],
            ),
            run_duration=Histogram(
                metrics.name("run_duration_seconds"),
                "Wall time of one run, from the lock taken to the run row finished.",
                registry=metrics.registry,
                buckets=_RUN_BUCKETS,
            ),
            checked=metrics.counter(
                "checked_total",
                "OpenPhone objects looked at by runs, by kind (lines, conversations, messages, "
                "calls).",
                ["kind"],
            ),
            missing=metrics.counter(
                "missing_events_total",
                "Synthetic events emitted for facts no webhook brought, by event type.",
                ["event_type"],
            ),
            last_success=metrics.gauge(
                "last_success_timestamp_seconds",
                "Unix time at which the latest successful run finished.",
            ),
        )
