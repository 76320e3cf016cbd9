"""Wire shapes of the API (never the table classes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, Field

from smsbus.health.domain.checks import Check, CheckState, Stage
from smsbus.health.domain.status import Health
from smsbus.runtime.api_types import StorableBody, StoredInstant


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
        return cls.model_validate(check, from_attributes=True)


class CheckList(BaseModel):
    checks: list[CheckOut]


class CheckStarted(BaseModel):
    id: str
    state: CheckState
    deadline_at: datetime


_GO_ZERO_TIME: Final = datetime.min.replace(tzinfo=UTC)


def _unset_if_go_zero_time(value: Any) -> Any:
    """Alertmanager writes Go's zero time (0001-01-01T00:00:00Z) as the end of a firing alert."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value  # left to the field's own validation and its 422
        if moment.tzinfo is not None and moment == _GO_ZERO_TIME:
            return None
    return value


class AlertmanagerAlert(BaseModel):
    """One alert of Alertmanager's webhook (version 4); fields it adds later are ignored."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = {}
    startsAt: StoredInstant
    endsAt: Annotated[StoredInstant | None, BeforeValidator(_unset_if_go_zero_time)] = None
    generatorURL: str | None = None
    fingerprint: str = Field(min_length=1, max_length=64)


class AlertmanagerNotification(StorableBody):
    """What Alertmanager POSTs to a webhook receiver."""

    version: str
    status: Literal["firing", "resolved"]
    alerts: list[AlertmanagerAlert] = Field(max_length=1000)


class Forwarded(BaseModel):
    forwarded: int
    """Alerts queued for the alert webhook."""
    duplicates: int
    """Alerts already forwarded (Alertmanager resends a group's alerts with every change)."""


class AlertOut(BaseModel):
    id: int
    kind: str
    source: str
    status: str
    """pending, delivered, failed, or skipped (no alert webhook configured)."""
    attempts: int
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    text: str


class AlertList(BaseModel):
    alerts: list[AlertOut]
