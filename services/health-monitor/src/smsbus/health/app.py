"""The composition root (`uvicorn --factory smsbus.health.app:app_from_env`): the canary,
its checks' consumer (handlers.py), the periodic work (workers.py) and the checks API, on the
consuming-service skeleton (runtime/service.py). The only module that knows everything."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from smsbus.health.api import api_router
from smsbus.health.api.deps import MONITOR, Monitor
from smsbus.health.canary import Canary, CanaryConfig
from smsbus.health.handlers import Deps, routes
from smsbus.health.observability import HealthMetrics
from smsbus.health.recording import RecordingConfig
from smsbus.health.settings import SERVICE, Settings
from smsbus.health.workers import workers
from smsbus.runtime.service import About, Api, Foundation, consuming_service
from smsbus.runtime.serving import app_from_env as app_from_env_with

ABOUT = About(
    "smsbus health-monitor",
    "A canary SMS, sent through compliance's egress, proven to come back through the whole "
    "pipeline (OpenPhone → ingest → Kafka → this consumer) in time; alerts when it does not.",
)


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> FastAPI:
    """The service; `clock` and `new_id` replace the real ones (tests)."""
    base = Foundation.create(settings, service=SERVICE, metrics_name="health", pool_size=5)
    metrics = HealthMetrics.create(base.metrics)
    recording = RecordingConfig(
        checks_topic=settings.topic_for("canary.passed"),
        failures_before_alert=settings.failures_before_alert,
        alerts_deliverable=settings.alert_webhook_url is not None,
    )
    canary = Canary(
        sessions=base.sessions,
        clock=clock,
        new_id=new_id,
        config=CanaryConfig.of(settings),
    )
    alert_http = httpx.AsyncClient(timeout=settings.alert_timeout, trust_env=False)
    monitor = Monitor(canary=canary, recording=recording, clock=clock)
    deps = Deps(clock=clock, canary_to=settings.canary_to, recording=recording, metrics=metrics)
    return consuming_service(
        base,
        about=ABOUT,
        handlers=routes(deps),
        api=Api(api_router(), writes="operations", installs=[MONITOR.installer(monitor)]),
        workers=workers(settings, base.sessions, canary, recording, metrics, alert_http, clock),
        closing=[alert_http.aclose],
    )


def app_from_env() -> FastAPI:
    return app_from_env_with(Settings, create_app, service=SERVICE)
