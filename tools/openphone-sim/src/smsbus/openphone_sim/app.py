"""The composition root: settings → simulator → REST routers, admin router, health, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from smsbus.openphone_sim import admin
from smsbus.openphone_sim.api import calls, contacts, messages, webhooks, workspace
from smsbus.openphone_sim.api.common import require_api_key
from smsbus.openphone_sim.errors import install_error_handlers
from smsbus.openphone_sim.settings import SimSettings
from smsbus.openphone_sim.simulator import Simulator
from smsbus.openphone_sim.traffic import RestTraffic
from smsbus.runtime.health import health_router
from smsbus.runtime.metrics import metrics_router


def create_app(settings: SimSettings | None = None) -> FastAPI:
    settings = settings or SimSettings()
    simulator = Simulator(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await simulator.start()
        try:
            yield
        finally:
            await simulator.stop()

    app = FastAPI(title="OpenPhone simulator", lifespan=lifespan)
    app.state.simulator = simulator
    install_error_handlers(app)

    rest = APIRouter(dependencies=[Depends(require_api_key)])
    for module in (messages, calls, workspace, contacts, webhooks):
        rest.include_router(module.router())
    app.include_router(rest)
    app.include_router(admin.router())
    app.include_router(health_router({}))
    app.include_router(metrics_router(simulator.metrics))
    app.add_middleware(RestTraffic, simulator=simulator)
    return app
