"""What the routes need, installed on the app by the composition root (`ReconcilerDep`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from smsbus.reconciler.runner import Reconciler


def install(app: FastAPI, reconciler: Reconciler) -> None:
    app.state.reconciler = reconciler


def _reconciler(request: Request) -> Reconciler:
    reconciler: Reconciler = request.app.state.reconciler
    return reconciler


ReconcilerDep = Annotated[Reconciler, Depends(_reconciler)]
