"""The monitor's own instruments, beside the runtime's (events handled, DLQ writes, outbox).

`canary_healthy` is 1 (healthy), 0 (failing) or -1 (unknown: no evidence yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

from smsbus.health.domain.checks import Decision
from smsbus.health.domain.status import Health, Summary
from smsbus.runtime.metrics import Metrics

_ROUND_TRIP_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 90.0, 120.0, 180.0, 300.0)
_HEALTHY_VALUE: dict[Health, float] = {"healthy": 1.0, "failing": 0.0, "unknown": -1.0}


@dataclass(frozen=True)
class HealthMetrics:
    base: Metrics
    checks: Counter
    round_trip: Histogram
    last_success: Gauge
    healthy: Gauge
    consecutive_failures: Gauge
    alerts: Counter

    @classmethod
    def create(cls, metrics: Metrics) -> HealthMetrics:
        created = cls(
            base=metrics,
            checks=metrics.counter(
                "canary_checks_total",
                "Canary checks decided, by outcome (passed, failed) and stage (send, webhook; "
                "none for a pass).",
                ["outcome", "stage"],
            ),
            round_trip=metrics.histogram(
                "canary_round_trip_seconds",
                "From the canary's send request to the monitor handling its webhook's event.",
                buckets=_ROUND_TRIP_BUCKETS,
            ),
            last_success=metrics.gauge(
                "canary_last_success_timestamp_seconds",
                "Unix time of the last passed check (0: none yet).",
            ),
            healthy=metrics.gauge(
                "canary_healthy", "1 healthy, 0 failing, -1 unknown (no evidence yet)."
            ),
            consecutive_failures=metrics.gauge(
                "canary_consecutive_failures", "Failed checks since the last pass."
            ),
            alerts=metrics.counter(
                "alerts_total",
                "Alert deliveries, by kind (alert, recovered) and outcome (delivered, retried, "
                "failed, skipped: no webhook configured).",
                ["kind", "outcome"],
            ),
        )
        created.healthy.set(-1.0)
        return created

    def decided(self, decision: Decision) -> None:
        self.checks.labels(outcome=decision.outcome, stage=decision.stage or "none").inc()
        if decision.outcome == "passed" and decision.round_trip_seconds is not None:
            self.round_trip.observe(decision.round_trip_seconds)

    def status(self, summary: Summary, health: Health) -> None:
        self.healthy.set(_HEALTHY_VALUE[health])
        self.consecutive_failures.set(summary.consecutive_failures)
        if summary.last_success_at is not None:
            self.last_success.set(summary.last_success_at.timestamp())
