"""What the routes need, installed on the app by the composition root (`MonitorDep`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends

from smsbus.health.canary import Canary
from smsbus.health.recording import RecordingConfig
from smsbus.runtime.app_state import AppState


@dataclass(frozen=True)
class Monitor:
    canary: Canary
    recording: RecordingConfig
    clock: Callable[[], datetime]

    @property
    def failures_before_alert(self) -> int:
        return self.recording.failures_before_alert

    @property
    def alerts_deliverable(self) -> bool:
        """False: no alert webhook is configured; alerts are recorded as `skipped`."""
        return self.recording.alerts_deliverable


MONITOR = AppState[Monitor]("monitor")
MonitorDep = Annotated[Monitor, Depends(MONITOR.get)]
