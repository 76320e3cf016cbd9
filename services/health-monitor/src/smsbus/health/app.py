"""The composition root: settings → engine, broker + subscribers (messages, the egress's
results), outbox relay (canary results and send requests), the deadline sweeper, the schedule,
alert delivery, routes, /metrics, /healthz, /readyz. The only module that knows everything.

    uvicorn --factory smsbus.health.app:app_from_env --port 8084
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from smsbus.health.alerting import AlertConfig, AlertSender
from smsbus.health.api import api_router
from smsbus.health.api.deps import Monitor, install
from smsbus.health.canary import Canary, CanaryConfig
from smsbus.health.decisions import DecisionConfig
from smsbus.health.domain.detection import worst_case_detection
from smsbus.health.domain.status import status_of
from smsbus.health.handlers import Deps, routes
from smsbus.health.loops import repeat
from smsbus.health.observability import HealthMetrics
from smsbus.health.scheduler import start_if_due
from smsbus.health.settings import SERVICE, Settings
from smsbus.health.store import checks as store
from smsbus.health.sweeper import expire_due
from smsbus.runtime.asyncapi import asyncapi_router
from smsbus.runtime.auth import ApiTokens, protect
from smsbus.runtime.background import Background
from smsbus.runtime.consumer import Consumer, batch_limits
from smsbus.runtime.db import Sessions, install_sessions, make_engine, make_sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.health import consumer_checks, health_router
from smsbus.runtime.http_metrics import instrument_requests
from smsbus.runtime.kafka import make_broker, start_when_reachable
from smsbus.runtime.logging import configure_logging
from smsbus.runtime.metrics import Metrics, metrics_router
from smsbus.runtime.offsets import watch_consumer_lag
from smsbus.runtime.relay import OutboxRelay
from smsbus.runtime.stalls import Stalls

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
STATUS_GAUGES_INTERVAL = 15.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_check_id() -> str:
    return str(uuid.uuid4())


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    new_id: Callable[[], str] = new_check_id,
) -> FastAPI:
    """The service; `clock` and `new_id` replace the real ones (tests)."""
    tokens = ApiTokens.parse(settings.api_tokens)  # refuses to start without tokens
    engine = make_engine(settings.database_url, schema=settings.db_schema, pool_size=5)
    sessions = make_sessions(engine)
    metrics = HealthMetrics.create(Metrics("health"))
    broker = make_broker(settings.kafka_bootstrap, client_id=SERVICE)
    stalls = Stalls()
    decisions = DecisionConfig(
        checks_topic=settings.checks_topic,
        failures_before_alert=settings.failures_before_alert,
        alerts_deliverable=settings.alert_webhook_url is not None,
    )
    deps = Deps(clock=clock, canary_to=settings.canary_to, decisions=decisions, metrics=metrics)
    consumed = [settings.messages_topic, settings.results_topic]
    consumer = Consumer(
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.group_id,
        topics=consumed,
        routes=routes(deps),
        sessions=sessions,
        broker=broker,
        stalls=stalls,
        metrics=metrics.base,
        limits=batch_limits(settings),
        client_id=SERVICE,
    )
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics.base, poll_interval=1.0)
    canary = Canary(
        sessions=sessions,
        clock=clock,
        new_id=new_id,
        config=CanaryConfig(
            line=settings.canary_from,
            to=settings.canary_to,
            template=settings.canary_text,
            timeout=timedelta(seconds=settings.timeout_seconds),
            requests_topic=settings.requests_topic,
        ),
    )
    alert_http = httpx.AsyncClient(timeout=settings.alert_timeout, trust_env=False)

    async def sweep() -> None:
        await expire_due(sessions=sessions, clock=clock, config=decisions, metrics=metrics)

    async def schedule() -> None:
        interval = timedelta(seconds=settings.interval_seconds)
        await start_if_due(sessions=sessions, canary=canary, clock=clock, interval=interval)

    async def gauges() -> None:
        await measure_status(sessions, metrics, settings.failures_before_alert)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = Background()
        tick = settings.sweep_interval_seconds
        background.start(start_when_reachable(broker), "health-kafka")
        background.start(consumer.run(), "health-consumer")
        background.start(relay.run(), "health-outbox-relay")
        background.start(
            watch_consumer_lag(
                bootstrap=settings.kafka_bootstrap,
                group_id=settings.group_id,
                topics=consumed,
                metrics=metrics.base,
                interval=settings.lag_poll_seconds,
            ),
            "health-lag-gauge",
        )
        background.start(repeat(sweep, name="deadline sweep", interval=tick), "health-sweep")
        background.start(
            repeat(gauges, name="status gauges", interval=STATUS_GAUGES_INTERVAL),
            "health-status-gauges",
        )
        if settings.enabled:
            logger.info(
                "a canary every %.0f s, its webhook due within %.0f s, an alert after %d "
                "failures in a row: an outage is alerted within %.0f s at worst",
                settings.interval_seconds,
                settings.timeout_seconds,
                settings.failures_before_alert,
                worst_case_detection(
                    interval=timedelta(seconds=settings.interval_seconds),
                    timeout=timedelta(seconds=settings.timeout_seconds),
                    failures_before_alert=settings.failures_before_alert,
                ).total_seconds(),
            )
            every = min(tick, settings.interval_seconds)
            background.start(repeat(schedule, name="schedule", interval=every), "health-schedule")
        if settings.alert_webhook_url is not None:
            alerts = AlertSender(
                sessions=sessions,
                http=alert_http,
                clock=clock,
                config=AlertConfig(
                    url=settings.alert_webhook_url,
                    max_attempts=settings.alert_max_attempts,
                    retry=Backoff(
                        initial=settings.alert_retry_initial, maximum=settings.alert_retry_max
                    ),
                ),
                metrics=metrics,
            )
            background.start(
                repeat(alerts.deliver_due, name="alert delivery", interval=tick), "health-alerts"
            )
        try:
            yield
        finally:
            await background.stop()
            await broker.stop()
            await alert_http.aclose()
            await engine.dispose()

    app = FastAPI(
        title="smsbus health-monitor",
        description="A canary SMS, sent through compliance's egress, proven to come back "
        "through the whole pipeline (OpenPhone → ingest → Kafka → this consumer) in time; "
        "alerts when it does not.",
        lifespan=lifespan,
    )
    install_sessions(app, sessions)
    install(
        app,
        Monitor(
            canary=canary,
            failures_before_alert=settings.failures_before_alert,
            clock=clock,
            alerts_deliverable=decisions.alerts_deliverable,
        ),
    )
    protect(app, api_router(), tokens, writes="operations")
    app.include_router(health_router(consumer_checks(broker, engine, consumer)))
    app.include_router(metrics_router(metrics.base))
    app.include_router(asyncapi_router(SERVICE))
    instrument_requests(app, metrics.base)
    return app


async def measure_status(sessions: Sessions, metrics: HealthMetrics, threshold: int) -> None:
    """The status gauges from the table (at start, and between decisions)."""
    async with sessions() as session:
        summary = await store.summary(session=session)
    metrics.status(summary, status_of(summary, failures_before_alert=threshold))


def app_from_env() -> FastAPI:
    settings = Settings()
    configure(settings)
    return create_app(settings)


def configure(settings: Settings) -> None:
    configure_logging(service=SERVICE, level=settings.log_level)
