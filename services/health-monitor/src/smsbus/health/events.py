"""The envelopes of the monitor's own events: the canary's send request (send.requested, to
compliance's egress) and each check's result (canary.passed / canary.failed)."""

from __future__ import annotations

from typing import Any

from smsbus.contracts import CanaryFailed, CanaryPassed, Envelope, make_envelope
from smsbus.contracts.outbound import SendRequested
from smsbus.health.domain.checks import Check

SOURCE = "health-monitor"
"""Also the requester the egress names in its results: the monitor's own are those."""


def request_envelope(check: Check) -> Envelope[SendRequested]:
    """The canary's send request; the check id is its request id (one text per check)."""
    requested = check.started_at or check.created_at
    request = SendRequested(
        request_id=check.id,
        purpose="canary",
        requester=SOURCE,
        to=check.to,
        line=check.line,
        text=check.text,
        requested_at=requested,
        # Past its deadline a canary proves nothing: the egress refuses it `expired`.
        expires_at=check.deadline_at,
    )
    return make_envelope(
        request,
        event_type="send.requested",
        event_id=f"{SOURCE}-send.requested-{check.id}",
        object_id=check.id,
        source=SOURCE,
        occurred_at=requested,
        recorded_at=requested,
        correlation_id=check.id,
    )


def result_envelope(check: Check) -> Envelope[Any]:
    """The result of a decided check; one per check (its id is the event's object id)."""
    if check.finished_at is None or check.state not in ("passed", "failed"):
        raise ValueError(f"check {check.id} is not decided ({check.state})")
    started = check.started_at or check.created_at
    common: dict[str, Any] = {
        "check_id": check.id,
        "line": check.line,
        "to": check.to,
        "started_at": started,
        "finished_at": check.finished_at,
    }
    event: CanaryPassed | CanaryFailed
    if check.state == "passed":
        event = CanaryPassed(
            **common,
            message_id=check.message_id or "",
            event_type=check.event_type or "",
            round_trip_seconds=check.round_trip_seconds or 0.0,
        )
    else:
        event = CanaryFailed(
            **common,
            stage=check.stage or "webhook",
            reason=check.reason or "no reason recorded",
            message_id=check.message_id,
        )
    return make_envelope(
        event,
        event_type=f"canary.{check.state}",
        event_id=f"{SOURCE}-{check.id}",
        object_id=check.id,
        source=SOURCE,
        occurred_at=check.finished_at,
        recorded_at=check.finished_at,
        correlation_id=check.id,
    )
