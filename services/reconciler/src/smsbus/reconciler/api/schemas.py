"""Wire shapes of the API (never the table classes themselves)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from smsbus.reconciler.models import RunRow

RunStatus = Literal["running", "succeeded", "failed", "deferred"]


class RunOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    trigger: str
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    window_start: datetime
    window_end: datetime
    lines_checked: int
    conversations_checked: int
    messages_checked: int
    calls_checked: int
    missing: dict[str, int]
    """Synthetic events emitted, by event type."""
    emitted: int
    consumer_lag: int | None
    """Records the consumer was behind, when the run was deferred."""
    error: str | None

    @classmethod
    def of(cls, row: RunRow) -> RunOut:
        return cls.model_validate(row.model_dump() | {"emitted": sum(row.missing.values())})


class RunList(BaseModel):
    data: list[RunOut]
