"""The composition root (`uvicorn --factory smsbus.compliance.app:app_from_env`): inbound
messages and send requests (handlers.py), the egress's two lanes (egress/setup.py), imports,
lookups and the API, on the consuming-service skeleton. The only module that knows everything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from smsbus.compliance.api import api_router, install
from smsbus.compliance.api.deps import Compliance
from smsbus.compliance.consent_jobs import ConsentImports
from smsbus.compliance.dnc_jobs import DncImports
from smsbus.compliance.egress import setup as egress
from smsbus.compliance.egress.gauge import watch_open_requests
from smsbus.compliance.handlers import Deps, routes
from smsbus.compliance.lookup import LineTypeLookup
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.settings import SERVICE, Settings
from smsbus.openphone import OpenPhoneClient
from smsbus.runtime.service import About, Api, Foundation, Worker, consuming_service
from smsbus.runtime.serving import app_from_env as app_from_env_with

ABOUT = About(
    "smsbus compliance",
    "Opt-outs, HELP, the consent ledger, eligibility, DNC lists, and the egress every text takes.",
)
READS = frozenset({"/v1/eligibility", "/v1/phones/validation"})  # queries sent as POST


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    openphone: OpenPhoneClient | None = None,
    lookup_transport: httpx.AsyncBaseTransport | None = None,
    campaigns_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The service; `openphone`, `lookup_transport` and `campaigns_transport` replace the
    OpenPhone client, the line-type provider's network and campaign-engine's (tests)."""
    # No pre-ping: a dead connection fails its first statement, retried; room for the egress.
    base = Foundation.create(
        settings, service=SERVICE, pool_size=20, max_overflow=20, pool_pre_ping=False
    )
    metrics = ComplianceMetrics.create(base.metrics)
    client = openphone or egress.openphone_client(settings, base.engine, metrics, clock)
    campaigns = egress.campaign_states(settings, campaigns_transport)
    lanes = egress.lanes(settings, base.engine, client, campaigns, clock, metrics)
    dnc_imports = DncImports.of(settings, sessions=base.sessions, clock=clock)
    consent_imports = ConsentImports.of(settings, sessions=base.sessions, clock=clock)
    lookup = LineTypeLookup.of(settings, clock=clock, transport=lookup_transport)
    texts = settings.replies()
    deps = Deps.of(settings, texts=texts, clock=clock, metrics=metrics)
    state = Compliance(settings, base.engine, base.sessions, texts, lookup, clock, metrics)
    workers: dict[str, Worker] = {
        "egress-gauge": lambda: watch_open_requests(base.engine, metrics.egress),
        "dnc-imports": dnc_imports.run,
        "consent-imports": consent_imports.run,
    }
    if settings.egress_sending:
        workers |= {f"egress-{name}": lane.run for name, lane in lanes.items()}

    def install_state(app: FastAPI) -> None:
        install(app, state, dnc_imports, consent_imports)

    return consuming_service(
        base,
        about=ABOUT,
        handlers=routes(deps),
        api=Api(api_router(), writes="consent", reads=READS, installs=[install_state]),
        workers=workers,
        closing=[lookup.aclose, campaigns.aclose] + ([] if openphone else [client.aclose]),
    )


def app_from_env() -> FastAPI:
    return app_from_env_with(Settings, create_app, service=SERVICE)
