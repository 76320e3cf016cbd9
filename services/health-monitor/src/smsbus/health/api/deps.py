"""What the routes need, installed on the app by the composition root (`MonitorDep`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from smsbus.health.canary import Canary


@dataclass(frozen=True)
class Monitor:
    canary: Canary
    failures_before_alert: int
    clock: Callable[[], datetime]
    alerts_deliverable: bool
    """False: no alert webhook is configured; alerts are recorded as `skipped`."""


def install(app: FastAPI, monitor: Monitor) -> None:
    app.state.monitor = monitor


def _monitor(request: Request) -> Monitor:
    monitor: Monitor = request.app.state.monitor
    return monitor


MonitorDep = Annotated[Monitor, Depends(_monitor)]
