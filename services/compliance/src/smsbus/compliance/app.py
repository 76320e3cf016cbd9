"""The composition root: settings → engine, broker + subscribers (inbound messages, send
requests), outbox relay, the egress (two lanes) on the key's shared budget, lookups, routes,
/metrics, /healthz, /readyz. The only module that knows everything.

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
from smsbus.compliance.api.consent_imports import install_consent_imports
from smsbus.compliance.api.deps import Compliance, install
from smsbus.compliance.api.dnc import install_dnc_imports
from smsbus.compliance.consent_jobs import ConsentImportConfig, ConsentImports
from smsbus.compliance.dlq import watch_dlq
from smsbus.compliance.dnc_jobs import DncImports
from smsbus.compliance.domain.gate import Rules
from smsbus.compliance.egress.gauge import watch_open_requests
from smsbus.compliance.egress.requesters import CampaignStates
from smsbus.compliance.egress.sender import BULK, URGENT, Egress, EgressConfig
from smsbus.compliance.egress.timings import Timings
from smsbus.compliance.handlers import Deps, routes
from smsbus.compliance.lookup import LineTypeLookup
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.settings import SERVICE, Settings
from smsbus.openphone import HEADROOM, OpenPhoneClient, RetryPolicy
from smsbus.runtime.asyncapi import asyncapi_router
from smsbus.runtime.auth import ApiTokens, protect
from smsbus.runtime.background import Background
from smsbus.runtime.budget import shared_budget
from smsbus.runtime.consumer import Consumer, batch_limits
from smsbus.runtime.db import install_sessions, make_engine, make_sessions
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


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    openphone: OpenPhoneClient | None = None,
    lookup_transport: httpx.AsyncBaseTransport | None = None,
    campaigns_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The service; `openphone`, `lookup_transport` and `campaigns_transport` replace the
    OpenPhone client, the line-type provider's network and campaign-engine's (tests)."""
    tokens = ApiTokens.parse(settings.api_tokens)  # refuses to start without tokens
    # No pre-ping: it costs a round trip per transaction; a connection that died with the
    # database fails its first statement instead, which the consumer retries in place.
    # Room for both consumers' transactions and the egress's slots (two connections each).
    engine = make_engine(
        settings.database_url,
        schema=settings.db_schema,
        pool_size=20,
        max_overflow=20,
        pool_pre_ping=False,
    )
    sessions = make_sessions(engine)
    metrics = ComplianceMetrics.create(Metrics(SERVICE))
    texts = settings.replies()
    broker = make_broker(settings.kafka_bootstrap, client_id=SERVICE)
    stalls = Stalls()
    deps = Deps(
        texts=texts,
        clock=clock,
        consent_topic=settings.consent_topic,
        default_region=settings.default_region,
        help_interval=timedelta(hours=settings.help_interval_hours),
        metrics=metrics,
        revocation_scope=settings.revocation_scope,
    )
    consumer = Consumer(
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.group_id,
        topics=[settings.messages_topic, settings.requests_topic],
        routes=routes(deps),
        sessions=sessions,
        broker=broker,
        stalls=stalls,
        metrics=metrics.base,
        limits=batch_limits(settings),
        client_id=SERVICE,
    )
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics.base, poll_interval=1.0)
    egress_metrics = metrics.egress
    budget = shared_budget(
        engine,
        base_url=settings.openphone_base_url,
        api_key=settings.openphone_api_key.get_secret_value(),
        headroom=HEADROOM,
        rate=settings.openphone_rate,
        burst=settings.openphone_burst,
        metrics=metrics.base,
    )
    client = openphone or OpenPhoneClient(
        api_key=settings.openphone_api_key,
        base_url=settings.openphone_base_url,
        timeout=settings.openphone_timeout,
        # One attempt per call: the egress retries itself, never holding a number's lock.
        retry=RetryPolicy(max_attempts=1),
        bucket=budget,
        agent="compliance-egress",
        now=clock,
    )
    campaigns = CampaignStates(
        base_url=settings.campaigns_url,
        timeout=3.0,
        token=settings.api_token.get_secret_value() if settings.api_token else None,
        transport=campaigns_transport,
    )
    egress_config = EgressConfig(
        results_topic=settings.results_topic,
        timings=Timings(
            client_timeout=settings.openphone_timeout,
            lookup_after=settings.egress_lookup_after_seconds,
            lookup_margin=settings.lookup_margin_seconds,
            retry=Backoff(initial=settings.egress_retry_initial, maximum=settings.egress_retry_max),
            max_attempts=settings.egress_max_attempts,
            poll_interval=settings.egress_poll_interval,
        ),
        rules=Rules(
            allowed_regions=settings.allowed_regions,
            marketing_requires_express_consent=settings.marketing_requires_express_consent,
            revocation_scope=settings.revocation_scope,
        ),
        line_daily_cap=settings.line_daily_cap,
        default_region=settings.default_region,
        batch=settings.egress_batch,
    )
    lanes = [
        Egress(
            engine=engine,
            client=client,
            campaigns=campaigns,
            clock=clock,
            config=egress_config,
            lane=lane,
            metrics=egress_metrics,
        )
        for lane in (URGENT, BULK)
    ]
    dnc_imports = DncImports(
        sessions=sessions,
        clock=clock,
        default_region=settings.default_region,
        max_invalid_lines=settings.dnc_max_invalid_lines,
    )
    consent_imports = ConsentImports(
        sessions=sessions,
        clock=clock,
        config=ConsentImportConfig(
            default_region=settings.default_region,
            revocation_scope=settings.revocation_scope,
            consent_topic=settings.consent_topic,
            chunk=settings.consent_import_chunk,
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
        background.start(consumer.run(), "compliance-consumer")
        background.start(relay.run(), "compliance-outbox-relay")
        if settings.egress_sending:
            for lane, egress in zip((URGENT, BULK), lanes, strict=True):
                background.start(egress.run(), f"compliance-egress-{lane.name}")
        background.start(watch_open_requests(engine, egress_metrics), "compliance-egress-gauge")
        background.start(dnc_imports.run(), "compliance-dnc-imports")
        background.start(consent_imports.run(), "compliance-consent-imports")
        background.start(
            watch_dlq(
                bootstrap=settings.kafka_bootstrap,
                topics=settings.dlq_topics,
                metrics=metrics,
                interval=settings.dlq_poll_interval,
            ),
            "compliance-dlq-gauge",
        )
        background.start(
            watch_consumer_lag(
                bootstrap=settings.kafka_bootstrap,
                group_id=settings.group_id,
                topics=[settings.messages_topic, settings.requests_topic],
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
            await campaigns.aclose()
            await engine.dispose()

    app = FastAPI(
        title="smsbus compliance",
        description="Opt-out/opt-in/HELP detection, the consent ledger, eligibility, "
        "phone validation, do-not-call lists, and the egress every text leaves through.",
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
    install_dnc_imports(app, dnc_imports)
    install_consent_imports(app, consent_imports)
    # eligibility is a query sent as POST (campaign-engine asks with a read token)
    protect(app, api_router(), tokens, writes="consent", reads=frozenset({"/v1/eligibility"}))
    app.include_router(health_router(consumer_checks(broker, engine, consumer)))
    app.include_router(metrics_router(metrics.base))
    app.include_router(asyncapi_router(SERVICE))
    instrument_requests(app, metrics.base)
    return app


def app_from_env() -> FastAPI:
    settings = Settings()
    configure(settings)
    return create_app(settings)


def configure(settings: Settings) -> None:
    configure_logging(service=SERVICE, level=settings.log_level)
