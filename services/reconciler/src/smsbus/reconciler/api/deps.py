"""What the routes need, installed on the app by the composition root (`ReconcilerDep`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from smsbus.reconciler.runner import Reconciler
from smsbus.runtime.app_state import AppState

RECONCILER = AppState[Reconciler]("reconciler")
ReconcilerDep = Annotated[Reconciler, Depends(RECONCILER.get)]
