"""Wire shapes of the API (never the table classes)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from smsbus.health.domain.checks import Check, CheckState, Stage
from smsbus.health.domain.status import Health


class StatusOut(BaseModel):
    status: Health
    """healthy | failing (N consecutive failures) | unknown (no evidence yet)."""
    last_success_at: datetime | None
    last_check_at: datetime | None
    """When the last check was decided."""
    consecutive_failures: int
    failures_before_alert: int
    pending_check_id: str | None


class CheckOut(BaseModel):
    id: str
    state: CheckState
    line: str
    to: str
    created_at: datetime
    deadline_at: datetime
    started_at: datetime | None
    message_id: str | None
    finished_at: datetime | None
    stage: Stage | None
    reason: str | None
    event_type: str | None
    round_trip_seconds: float | None

    @classmethod
    def of(cls, check: Check) -> CheckOut:
        return cls(
            id=check.id,
            state=check.state,
            line=check.line,
            to=check.to,
            created_at=check.created_at,
            deadline_at=check.deadline_at,
            started_at=check.started_at,
            message_id=check.message_id,
            finished_at=check.finished_at,
            stage=check.stage,
            reason=check.reason,
            event_type=check.event_type,
            round_trip_seconds=check.round_trip_seconds,
        )


class CheckList(BaseModel):
    checks: list[CheckOut]


class CheckStarted(BaseModel):
    id: str
    state: CheckState
    deadline_at: datetime
