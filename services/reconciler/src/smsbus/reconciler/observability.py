"""reconciler's own instruments, beside the runtime's (events handled, DLQ writes, outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram

from smsbus.reconciler.domain.facts import Fact
from smsbus.runtime.metrics import Metrics

_RUN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
# 300 s is the alert's line: an opt-out confirmation is presumed timely within 5 minutes.
_RECOVERY_BUCKETS = (30.0, 60.0, 90.0, 120.0, 180.0, 240.0, 300.0, 600.0, 900.0, 1800.0, 3600.0)


@dataclass(frozen=True)
class ReconcilerMetrics:
    base: Metrics
    runs: Counter
    run_duration: Histogram
    checked: Counter
    missing: Counter
    last_success: Gauge
    fast_passes: Counter
    fast_requests: Counter
    unseen: Counter
    recovery_delay: Histogram
    fast_last_success: Gauge

    @classmethod
    def create(cls, metrics: Metrics) -> ReconcilerMetrics:
        created = cls._instruments(metrics)
        for pass_name in ("fast", "deep"):
            # From 0, so the first slow recovery is an increase the alert sees.
            created.recovery_delay.labels(pass_name)
        return created

    @classmethod
    def _instruments(cls, metrics: Metrics) -> ReconcilerMetrics:
        return cls(
            base=metrics,
            runs=metrics.counter(
                "runs_total",
                "Reconciliation runs by outcome (succeeded, failed, deferred).",
                ["outcome"],
            ),
            run_duration=metrics.histogram(
                "run_duration_seconds",
                "Wall time of one run, from the lock taken to the run row finished.",
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
            fast_passes=metrics.counter(
                "fast_passes_total",
                "Fast passes by outcome (succeeded, failed, deferred).",
                ["outcome"],
            ),
            fast_requests=metrics.counter(
                "fast_pass_requests_total",
                "OpenPhone requests made by fast passes (listings, messages, calls; retries too).",
            ),
            unseen=metrics.counter(
                "unseen_last_activities_total",
                "Conversations whose last activity no event on the topics carried when a fast "
                "pass looked (each look counts; a young one may be counted again next pass).",
            ),
            recovery_delay=metrics.histogram(
                "recovery_delay_seconds",
                "Seconds from a recovered fact's provider time (createdAt; a status change's "
                "updatedAt) to its synthetic event, by pass (fast, deep).",
                ["pass"],
                buckets=_RECOVERY_BUCKETS,
            ),
            fast_last_success=metrics.gauge(
                "fast_pass_last_success_timestamp_seconds",
                "Unix time at which the latest successful fast pass finished.",
            ),
        )

    def recovered(self, pass_name: str, facts: Iterable[Fact], *, at: datetime) -> None:
        """The facts a pass emitted as synthetic events at `at`: counted by event type, and
        their delay from the provider's time observed."""
        for fact in facts:
            self.missing.labels(event_type=fact.event_type).inc()
            delay = (at - fact.occurred_at).total_seconds()
            self.recovery_delay.labels(pass_name).observe(max(0.0, delay))
