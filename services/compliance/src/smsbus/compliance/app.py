"""The composition root: settings → engine, broker + subscriber, outbox relay, reply sender,
lookups, routes, /metrics, /healthz, /readyz. The only module that knows everything.

    uvicorn --factory smsbus.compliance.app:app_from_env --port 8081
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from smsbus.compliance.api import api_router
from smsbus.compliance.api.deps import Compliance, install
from smsbus.compliance.confirmations import ReplySender, SenderConfig
from smsbus.compliance.dlq import watch_dlq
from smsbus.compliance.domain.texts import ReplyTexts
from smsbus.compliance.handlers import Deps, dispatcher
from smsbus.compliance.lookup import LineTypeLookup
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.settings import SERVICE, Settings
from smsbus.openphone import OpenPhoneClient
from smsbus.runtime.background import Background
from smsbus.runtime.consumer import subscribe
from smsbus.runtime.db import install_sessions, make_engine, make_sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.health import consumer_checks, health_router
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
    settings: Settings,
    *,
    clock: Clock = utc_now,
    openphone: OpenPhoneClient | None = None,
    lookup_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The service; `openphone` and `lookup_transport` replace the OpenPhone client and the
    line-type provider's network (tests)."""
    # No pre-ping: it costs a round trip per transaction; a connection that died with the
    # database fails its first statement instead, which the consumer retries in place.
    engine = make_engine(
        settings.database_url, schema=settings.db_schema, pool_size=10, pool_pre_ping=False
    )
    sessions = make_sessions(engine)
    metrics = ComplianceMetrics.create(Metrics(SERVICE))
    texts = ReplyTexts(
        brand=settings.brand_name,
        support_contact=settings.support_contact,
        frequency=settings.message_frequency,
        help_intro=settings.help_intro,
    )
    broker = make_broker(settings.kafka_bootstrap, client_id=SERVICE)
    stalls = Stalls()
    deps = Deps(
        sessions=sessions,
        texts=texts,
        clock=clock,
        consent_topic=settings.consent_topic,
        consumer=settings.group_id,
        default_region=settings.default_region,
        help_interval=timedelta(hours=settings.help_interval_hours),
        metrics=metrics,
    )
    subscribe(
        broker,
        topic=settings.messages_topic,
        group_id=settings.group_id,
        handler=dispatcher(deps),
        stalls=stalls,
        metrics=metrics.base,
        max_workers=settings.consumer_workers,
    )
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics.base, poll_interval=1.0)
    client = openphone or OpenPhoneClient(
        api_key=settings.openphone_api_key, base_url=settings.openphone_base_url
    )
    sender = ReplySender(
        engine=engine,
        client=client,
        clock=clock,
        metrics=metrics,
        config=SenderConfig(
            batch=settings.confirmation_batch,
            poll_interval=settings.confirmation_poll_interval,
            max_attempts=settings.confirmation_max_attempts,
            retry=Backoff(
                initial=settings.confirmation_retry_initial,
                maximum=settings.confirmation_retry_max,
            ),
            lookup_margin=timedelta(seconds=settings.lookup_margin_seconds),
        ),
    )
    lookup = LineTypeLookup(
        url=settings.numverify_url,
        api_key=settings.numverify_api_key,
        ttl=timedelta(hours=settings.lookup_cache_ttl_hours),
        monthly_quota=settings.lookup_monthly_quota,
        clock=clock,
        timeout=settings.lookup_timeout,
        transport=lookup_transport,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = Background()
        background.start(start_when_reachable(broker), "compliance-kafka")
        background.start(relay.run(), "compliance-outbox-relay")
        if settings.send_replies:
            background.start(sender.run(), "compliance-reply-sender")
        background.start(
            watch_dlq(
                bootstrap=settings.kafka_bootstrap,
                topic=settings.dlq_topic,
                metrics=metrics,
                interval=settings.dlq_poll_interval,
            ),
            "compliance-dlq-gauge",
        )
        background.start(
            watch_consumer_lag(
                bootstrap=settings.kafka_bootstrap,
                group_id=settings.group_id,
                topics=[settings.messages_topic],
                metrics=metrics.base,
                interval=settings.lag_poll_seconds,
            ),
            "compliance-lag-gauge",
        )
        try:
            yield
        finally:
            await background.stop()
            await broker.stop()
            if openphone is None:
                await client.aclose()
            await lookup.aclose()
            await engine.dispose()

    app = FastAPI(
        title="smsbus compliance",
        description="Opt-out/opt-in/HELP detection, the consent ledger, eligibility, "
        "phone validation and do-not-call lists.",
        lifespan=lifespan,
    )
    install_sessions(app, sessions)
    install(
        app,
        Compliance(
            settings=settings,
            engine=engine,
            sessions=sessions,
            texts=texts,
            lookup=lookup,
            clock=clock,
            metrics=metrics,
        ),
    )
    app.include_router(api_router())
    app.include_router(health_router(consumer_checks(broker, engine, stalls)))
    app.include_router(metrics_router(metrics.base))
    return app


def app_from_env() -> FastAPI:
    settings = Settings()
    configure(settings)
    return create_app(settings)


def configure(settings: Settings) -> None:
    configure_logging(service=SERVICE, level=settings.log_level)
