"""The composition root: settings → engine, broker + subscribers (messages, contacts, consent),
outbox relay, dispatcher, routes, /metrics, /healthz, /readyz. The only module that knows
everything.

    python -m smsbus.campaigns      (or uvicorn --factory smsbus.campaigns.app:app_from_env)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from smsbus.campaigns.api import api_router
from smsbus.campaigns.api.deps import Engine, install
from smsbus.campaigns.clock import Clock
from smsbus.campaigns.dispatch import DispatchConfig, Dispatcher
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.handlers import Deps, dispatcher
from smsbus.campaigns.settings import SERVICE, Settings
from smsbus.openphone import OpenPhoneClient, TokenBucket
from smsbus.runtime.background import Background
from smsbus.runtime.consumer import subscribe
from smsbus.runtime.db import install_sessions, make_engine, make_sessions
from smsbus.runtime.health import consumer_checks, health_router
from smsbus.runtime.kafka import make_broker, start_when_reachable
from smsbus.runtime.logging import configure_logging
from smsbus.runtime.metrics import Metrics, metrics_router
from smsbus.runtime.offsets import watch_consumer_lag
from smsbus.runtime.relay import OutboxRelay
from smsbus.runtime.stalls import Stalls

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings, *, clock: Clock | None = None, openphone: OpenPhoneClient | None = None
) -> FastAPI:
    """The service; `clock` and `openphone` replace the ones built from the settings (tests)."""
    clock = clock or Clock(settings.clock_start)
    engine = make_engine(settings.database_url, schema=settings.db_schema, pool_size=20)
    sessions = make_sessions(engine)
    metrics = Metrics(SERVICE)
    dispatched = metrics.counter(
        "members_dispatched_total", "Dispatcher outcomes per member.", ["outcome"]
    )
    broker = make_broker(settings.kafka_bootstrap, client_id=SERVICE)
    stalls = Stalls()
    eligibility = EligibilityClient(
        base_url=settings.compliance_url, ttl=settings.eligibility_ttl_seconds
    )
    deps = Deps(
        sessions=sessions,
        clock=clock.now,
        events_topic=settings.events_topic,
        consumer=settings.group_id,
        reply_window=timedelta(days=settings.reply_window_days),
        default_region=settings.default_region,
        eligibility=eligibility,
    )
    handle = dispatcher(deps)
    consumed = [settings.messages_topic, settings.contacts_topic, settings.consent_topic]
    for topic in consumed:
        subscribe(
            broker, topic=topic, group_id=settings.group_id, handler=handle, stalls=stalls,
            metrics=metrics,
        )  # fmt: skip
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics, poll_interval=1.0)
    client = openphone or OpenPhoneClient(
        api_key=settings.openphone_api_key,
        base_url=settings.openphone_base_url,
        timeout=settings.openphone_timeout,
        # Our own bucket: the process-wide one may be configured by another client of the key.
        bucket=TokenBucket(
            rate=settings.openphone_rate, burst=max(int(settings.openphone_rate), 1)
        ),
        now=clock.now,
    )
    sender = Dispatcher(
        sessions=sessions,
        openphone=client,
        eligibility=eligibility,
        clock=clock.now,
        config=DispatchConfig(
            events_topic=settings.events_topic,
            batch=settings.dispatch_batch,
            interval=settings.dispatch_interval,
            concurrency=settings.send_concurrency,
            lease=settings.lease_seconds,
            lookup_margin=timedelta(seconds=settings.lookup_margin_seconds),
        ),
        on_outcome=lambda outcome: dispatched.labels(outcome=outcome).inc(),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = Background()
        background.start(start_when_reachable(broker), "campaigns-kafka")
        background.start(relay.run(), "campaigns-outbox-relay")
        background.start(
            watch_consumer_lag(
                bootstrap=settings.kafka_bootstrap,
                group_id=settings.group_id,
                topics=consumed,
                metrics=metrics,
                interval=settings.lag_poll_seconds,
            ),
            "campaigns-lag-gauge",
        )
        if settings.dispatch:
            background.start(sender.run(), "campaigns-dispatcher")
        try:
            yield
        finally:
            await background.stop()
            await broker.stop()
            if openphone is None:
                await client.aclose()
            await eligibility.aclose()
            await engine.dispose()

    app = FastAPI(
        title="smsbus campaign-engine",
        description="Contacts, lists, templates, A/B campaigns with compliant, exactly-once "
        "dispatch, tracking from events, and honest statistics.",
        lifespan=lifespan,
    )
    install_sessions(app, sessions)
    install(app, Engine(settings=settings, clock=clock))
    app.include_router(api_router())
    app.include_router(health_router(consumer_checks(broker, engine, stalls)))
    app.include_router(metrics_router(metrics))
    return app


def configure(settings: Settings) -> None:
    configure_logging(service=SERVICE, level=settings.log_level)


def app_from_env() -> FastAPI:
    settings = Settings()
    configure(settings)
    return create_app(settings)
