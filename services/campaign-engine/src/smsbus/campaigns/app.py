"""The composition root: settings → engine, broker + subscribers (messages, contacts, consent,
the egress's results), outbox relay (member events and send requests), dispatcher, routes,
/metrics, /healthz, /readyz. The only module that knows everything.

    python -m smsbus.campaigns      (or uvicorn --factory smsbus.campaigns.app:app_from_env)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from prometheus_client import Gauge

from smsbus.campaigns.api import api_router
from smsbus.campaigns.api import imports as import_api
from smsbus.campaigns.api.deps import Engine, install
from smsbus.campaigns.clock import Clock
from smsbus.campaigns.consent_handoff import ConsentHandoff
from smsbus.campaigns.dispatch import DispatchConfig, Dispatcher
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.handlers import Deps, routes
from smsbus.campaigns.imports import ImportRunner
from smsbus.campaigns.settings import SERVICE, Settings
from smsbus.runtime.asyncapi import asyncapi_router
from smsbus.runtime.auth import ApiTokens, protect
from smsbus.runtime.background import Background
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


def _show_paused(gauge: Gauge) -> Callable[[dict[str, int]], None]:
    def show(counts: dict[str, int]) -> None:
        gauge.clear()  # a reason no campaign is paused for any more drops out
        for reason, count in counts.items():
            gauge.labels(reason=reason).set(count)

    return show


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """The service; `clock` replaces the one built from the settings (tests)."""
    tokens = ApiTokens.parse(settings.api_tokens)  # refuses to start without tokens
    clock = clock or Clock(settings.clock_start)
    engine = make_engine(settings.database_url, schema=settings.db_schema, pool_size=20)
    sessions = make_sessions(engine)
    metrics = Metrics(SERVICE)
    dispatched = metrics.counter(
        "members_dispatched_total",
        "Member outcomes: requested, skipped, deferred (dispatcher); sent, refused, failed, "
        "requeued, capped, paused (the egress's results).",
        ["outcome"],
    )
    pauses = metrics.counter(
        "campaign_pauses_total", "Campaigns paused, by reason (manual or a deferral).", ["reason"]
    )
    paused = metrics.gauge("campaigns_paused", "Campaigns paused now, by reason.", ["reason"])

    def count(outcome: str) -> None:
        dispatched.labels(outcome=outcome).inc()

    def pause(reason: str) -> None:
        pauses.labels(reason=reason).inc()

    broker = make_broker(settings.kafka_bootstrap, client_id=SERVICE)
    stalls = Stalls()
    eligibility = EligibilityClient(
        base_url=settings.compliance_url,
        ttl=settings.eligibility_ttl_seconds,
        token=settings.api_token.get_secret_value() if settings.api_token else None,
    )
    deps = Deps(
        clock=clock.now,
        events_topic=settings.events_topic,
        reply_window=timedelta(days=settings.reply_window_days),
        default_region=settings.default_region,
        eligibility=eligibility,
        count=count,
        paused=pause,
    )
    consumed = [
        settings.messages_topic, settings.contacts_topic, settings.consent_topic,
        settings.results_topic,
    ]  # fmt: skip
    consumer = Consumer(
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.group_id,
        topics=consumed,
        routes=routes(deps),
        sessions=sessions,
        broker=broker,
        stalls=stalls,
        metrics=metrics,
        limits=batch_limits(settings),
        client_id=SERVICE,
    )
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics, poll_interval=1.0)
    consent = ConsentHandoff(
        base_url=settings.compliance_url,
        token=settings.api_token.get_secret_value() if settings.api_token else None,
        poll_interval=settings.consent_poll_seconds,
        patience=settings.consent_patience_seconds,
    )
    imports = ImportRunner(
        engine=engine, sessions=sessions, region=settings.default_region, consent=consent
    )
    sender = Dispatcher(
        sessions=sessions,
        eligibility=eligibility,
        clock=clock.now,
        config=DispatchConfig(
            events_topic=settings.events_topic,
            requests_topic=settings.requests_topic,
            batch=settings.dispatch_batch,
            interval=settings.dispatch_interval,
            lanes=settings.dispatch_lanes,
        ),
        on_outcome=count,
        on_paused=_show_paused(paused),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = Background()
        background.start(start_when_reachable(broker), "campaigns-kafka")
        background.start(consumer.run(), "campaigns-consumer")
        background.start(relay.run(), "campaigns-outbox-relay")
        background.start(imports.run(), "campaigns-contact-imports")
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
            await eligibility.aclose()
            await consent.aclose()
            await engine.dispose()

    app = FastAPI(
        title="smsbus campaign-engine",
        description="Contacts, lists, templates, A/B campaigns dispatched through compliance's "
        "egress (exactly once per member), tracking from events, and honest statistics.",
        lifespan=lifespan,
    )
    install_sessions(app, sessions)
    install(app, Engine(settings=settings, clock=clock, paused=pause))
    import_api.install(app, imports)
    # validating and previewing a template change nothing: queries sent as POST
    reads = frozenset({"/v1/templates/validate", "/v1/templates/preview"})
    protect(app, api_router(), tokens, writes="campaigns", reads=reads)
    app.include_router(health_router(consumer_checks(broker, engine, consumer)))
    app.include_router(metrics_router(metrics))
    app.include_router(asyncapi_router(SERVICE))
    instrument_requests(app, metrics)
    return app


def configure(settings: Settings) -> None:
    configure_logging(service=SERVICE, level=settings.log_level)


def app_from_env() -> FastAPI:
    settings = Settings()
    configure(settings)
    return create_app(settings)
