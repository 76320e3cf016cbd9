"""The overall status from recent results.

`unknown` until there is evidence: no decided check yet, or only failures fewer than the
threshold and never a pass. `failing` from `failures_before_alert` consecutive failures on;
`healthy` otherwise (a single failure after a pass stays healthy: one lost SMS is not an
outage).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from smsbus.health.domain.checks import Decision

Health = Literal["healthy", "failing", "unknown"]


@dataclass(frozen=True)
class Summary:
    decided: int = 0
    last_success_at: datetime | None = None
    last_check_at: datetime | None = None
    consecutive_failures: int = 0
    """Failed checks since the last pass (all of them when none passed)."""

    def after(self, decision: Decision) -> Summary:
        if decision.outcome == "passed":
            return replace(
                self,
                decided=self.decided + 1,
                last_success_at=decision.finished_at,
                last_check_at=decision.finished_at,
                consecutive_failures=0,
            )
        return replace(
            self,
            decided=self.decided + 1,
            last_check_at=decision.finished_at,
            consecutive_failures=self.consecutive_failures + 1,
        )


def status_of(summary: Summary, *, failures_before_alert: int) -> Health:
    if summary.consecutive_failures >= failures_before_alert:
        return "failing"
    if summary.last_success_at is not None:
        return "healthy"
    return "unknown"
