"""What routes need, installed on the app by the composition root."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException

from smsbus.campaigns.clock import Clock
from smsbus.campaigns.settings import Settings
from smsbus.runtime.app_state import AppState


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class Engine:
    settings: Settings
    clock: Clock
    new_id: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))
    paused: Callable[[str], None] = _ignore
    """A campaign paused through the API (campaign_pauses_total{reason="manual"})."""

    def now(self) -> datetime:
        return self.clock.now()


ENGINE = AppState[Engine]("engine")
EngineDep = Annotated[Engine, Depends(ENGINE.get)]


def unprocessable(field_name: str, reason: str, **extra: object) -> HTTPException:
    """422 with the field and the reason, in FastAPI's own error shape."""
    detail = [{"loc": ["body", field_name], "msg": reason, "type": "value_error", **extra}]
    return HTTPException(status_code=422, detail=detail)


def not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{what} not found")
