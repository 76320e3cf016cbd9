"""The composition root: settings → engine, broker + subscribers (messages, calls), outbox
relay, the deep and fast passes and their schedules, routes, /metrics, /healthz, /readyz. The
only module that knows everything.

    python -m smsbus.reconciler      (or uvicorn --factory smsbus.reconciler.app:app_from_env)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.openphone import HEADROOM, OpenPhoneClient
from smsbus.reconciler.api import api_router
from smsbus.reconciler.api.deps import install
from smsbus.reconciler.fastpass import FastConfig, FastPass, run_fast_periodically
from smsbus.reconciler.handlers import routes
from smsbus.reconciler.observability import ReconcilerMetrics
from smsbus.reconciler.pacing import Lane
from smsbus.reconciler.runner import Reconciler, RunConfig, run_periodically
from smsbus.reconciler.settings import SERVICE, Settings
from smsbus.runtime.asyncapi import asyncapi_router
from smsbus.runtime.auth import ApiTokens, protect
from smsbus.runtime.background import Background
from smsbus.runtime.budget import shared_budget
from smsbus.runtime.consumer import Consumer, batch_limits
from smsbus.runtime.db import install_sessions, make_engine, make_sessions
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


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings, *, clock: Clock = utc_now, openphone: OpenPhoneClient | None = None
) -> FastAPI:
    """The service; `clock` and `openphone` replace the wall clock and the client built from
    the settings (tests)."""
    tokens = ApiTokens.parse(settings.api_tokens)  # refuses to start without tokens
    engine = make_engine(settings.database_url, schema=settings.db_schema, pool_size=5)
    sessions = make_sessions(engine)
    metrics = ReconcilerMetrics.create(Metrics(SERVICE))
    broker = make_broker(settings.kafka_bootstrap, client_id=SERVICE)
    stalls = Stalls()
    consumer = Consumer(
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.group_id,
        topics=[settings.messages_topic, settings.calls_topic],
        routes=routes(clock),
        sessions=sessions,
        broker=broker,
        stalls=stalls,
        metrics=metrics.base,
        limits=batch_limits(settings),
        client_id=SERVICE,
    )
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics.base, poll_interval=1.0)
    deep_client, fast_client = (
        (openphone, openphone) if openphone else _clients(settings, engine, metrics)
    )
    reconciler = Reconciler(
        engine=engine,
        sessions=sessions,
        client=deep_client,
        clock=clock,
        metrics=metrics,
        config=RunConfig(
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.group_id,
            topics=settings.topics,
            lines=tuple(settings.lines),
            lookback=timedelta(seconds=settings.lookback_seconds),
            overlap=timedelta(seconds=settings.overlap_seconds),
            grace=timedelta(seconds=settings.grace_seconds),
            catchup_timeout=settings.catchup_timeout_seconds,
            page_size=settings.page_size,
            concurrency=settings.concurrency,
        ),
    )
    fast = FastPass(
        engine=engine,
        sessions=sessions,
        client=fast_client,
        clock=clock,
        metrics=metrics,
        config=FastConfig(
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.group_id,
            topics=settings.topics,
            lines=tuple(settings.lines),
            grace=timedelta(seconds=settings.fast_grace_seconds),
            lookback=timedelta(seconds=settings.fast_lookback_seconds),
            catchup_timeout=settings.catchup_timeout_seconds,
            page_size=settings.page_size,
            concurrency=settings.concurrency,
        ),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = Background()
        background.start(start_when_reachable(broker), "reconciler-kafka")
        background.start(consumer.run(), "reconciler-consumer")
        background.start(relay.run(), "reconciler-outbox-relay")
        background.start(
            watch_consumer_lag(
                bootstrap=settings.kafka_bootstrap,
                group_id=settings.group_id,
                topics=list(settings.topics.values()),
                metrics=metrics.base,
                interval=settings.lag_poll_seconds,
            ),
            "reconciler-lag-gauge",
        )
        if settings.schedule:
            background.start(
                run_periodically(
                    reconciler,
                    interval=settings.interval_seconds,
                    first_delay=settings.first_run_delay_seconds,
                ),
                "reconciler-schedule",
            )
            background.start(
                run_fast_periodically(
                    fast,
                    interval=settings.fast_interval_seconds,
                    first_delay=settings.first_run_delay_seconds,
                ),
                "reconciler-fast-pass",
            )
        try:
            yield
        finally:
            await background.stop()
            await broker.stop()
            if openphone is None:
                await deep_client.aclose()
                await fast_client.aclose()
            await engine.dispose()

    app = FastAPI(
        title="smsbus reconciler",
        description="Pulls OpenPhone's history over the REST API and emits synthetic events "
        "for whatever the webhooks missed.",
        lifespan=lifespan,
    )
    install_sessions(app, sessions)
    install(app, reconciler)
    protect(app, api_router(), tokens, writes="operations")
    app.include_router(health_router(consumer_checks(broker, engine, consumer)))
    app.include_router(metrics_router(metrics.base))
    app.include_router(asyncapi_router(SERVICE))
    instrument_requests(app, metrics.base)
    return app


def _clients(
    settings: Settings, engine: AsyncEngine, metrics: ReconcilerMetrics
) -> tuple[OpenPhoneClient, OpenPhoneClient]:
    """The deep pass's client and the fast pass's, on the key's budget shared by every process
    of every service, below transactional sends (pacing.py): the deep pass held to its share of
    the key's rate, the fast pass's requests counted."""
    budget = shared_budget(
        engine,
        base_url=settings.openphone_base_url,
        api_key=settings.openphone_api_key.get_secret_value(),
        headroom=HEADROOM,
        rate=settings.openphone_rate,
        burst=settings.openphone_burst,
        metrics=metrics.base,
    )

    def client(lane: Lane, agent: str) -> OpenPhoneClient:
        return OpenPhoneClient(
            api_key=settings.openphone_api_key,
            base_url=settings.openphone_base_url,
            bucket=lane,
            priority="reconciliation",
            agent=agent,  # OpenPhone's logs (and the simulator's) tell the two passes apart
        )

    deep = client(Lane(budget, rate=settings.deep_share * settings.openphone_rate), SERVICE)
    fast = client(Lane(budget, on_request=metrics.fast_requests.inc), f"{SERVICE}-fast")
    return deep, fast


def app_from_env() -> FastAPI:
    settings = Settings()
    configure(settings)
    return create_app(settings)


def configure(settings: Settings) -> None:
    configure_logging(service=SERVICE, level=settings.log_level)
