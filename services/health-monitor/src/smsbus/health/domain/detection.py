"""How long an outage can go unnoticed with a given schedule (pure)."""

from __future__ import annotations

from datetime import timedelta


def worst_case_detection(
    *, interval: timedelta, timeout: timedelta, failures_before_alert: int
) -> timedelta:
    """From the first webhook lost to the alert, at worst: the outage starts just after a
    check's webhook came back; the next check starts up to `interval` later and fails at its
    deadline (`timeout` after its start); the alert comes with the Nth failure in a row. A check
    never starts while one is pending, so a deadline longer than the interval spaces the failing
    checks by the deadline instead."""
    spacing = max(interval, timeout)
    return interval + (failures_before_alert - 1) * spacing + timeout
