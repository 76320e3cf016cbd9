"""When a status change alerts, and what the alert says (generic JSON, Slack-compatible:
`text` is what a Slack incoming webhook shows; the other fields are for Alertmanager-style
receivers and people)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from smsbus.health.domain.checks import Check
from smsbus.health.domain.status import Health, Summary

AlertKind = Literal["alert", "recovered"]


def transition(before: Health, after: Health) -> AlertKind | None:
    """Entering `failing` alerts (from `healthy`, and from `unknown`: a pipeline broken since
    the monitor started must not stay silent); leaving it for `healthy` is a recovery."""
    if after == "failing" and before != "failing":
        return "alert"
    if before == "failing" and after == "healthy":
        return "recovered"
    return None


def alert_body(
    kind: AlertKind, *, check: Check, summary: Summary, health: Health, now: datetime
) -> dict[str, Any]:
    """The JSON POSTed for an alert. No phone numbers: it leaves our systems."""
    if kind == "alert":
        headline = (
            f"smsbus pipeline FAILING: {summary.consecutive_failures} canary checks in a row "
            f"failed; last: {check.stage or 'unknown'} stage, {check.reason or 'no reason'}"
        )
    else:
        seconds = check.round_trip_seconds
        trip = f" in {seconds:.1f} s" if seconds is not None else ""
        headline = f"smsbus pipeline RECOVERED: the canary came back{trip}"
    return {
        "text": headline,
        "kind": kind,
        "status": health,
        "summary": headline,
        "service": "health-monitor",
        "at": now.isoformat(),
        "last_success_at": _iso(summary.last_success_at),
        "consecutive_failures": summary.consecutive_failures,
        "check": {
            "id": check.id,
            "state": check.state,
            "stage": check.stage,
            "reason": check.reason,
            "message_id": check.message_id,
            "event_type": check.event_type,
            "started_at": _iso(check.started_at or check.created_at),
            "finished_at": _iso(check.finished_at),
            "round_trip_seconds": check.round_trip_seconds,
        },
    }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None
