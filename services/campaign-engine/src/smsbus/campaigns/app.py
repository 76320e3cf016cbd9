"""The composition root: member tracking from events (handlers/), the dispatcher, contact
imports and the API on the consuming-service skeleton. The only module that knows everything."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from smsbus.campaigns.api import api_router
from smsbus.campaigns.api import imports as import_api
from smsbus.campaigns.api.deps import ENGINE, Engine
from smsbus.campaigns.clock import Clock
from smsbus.campaigns.consent_handoff import ConsentHandoff
from smsbus.campaigns.dispatch import DispatchConfig, Dispatcher
from smsbus.campaigns.dispatch.progress import ProgressGauges
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.handlers import Deps, routes
from smsbus.campaigns.imports import ImportRunner
from smsbus.campaigns.line_check import LineCheck
from smsbus.campaigns.observability import CampaignMetrics
from smsbus.campaigns.settings import SERVICE, Settings
from smsbus.runtime.service import About, Api, Foundation, consuming_service
from smsbus.runtime.serving import app_from_env as app_from_env_with

ABOUT = About(
    "smsbus campaign-engine",
    "Contacts, lists, templates, A/B campaigns sent through compliance's egress once per member.",
)
READS = frozenset({"/v1/templates/validate", "/v1/templates/preview"})  # queries sent as POST


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """The service; `clock` replaces the one built from the settings (tests)."""
    clock = clock or Clock(settings.clock_start)
    base = Foundation.create(settings, service=SERVICE, pool_size=20)
    metrics = CampaignMetrics.create(base.metrics)
    token = settings.compliance_token()
    eligibility = EligibilityClient(
        base_url=settings.compliance_url, ttl=settings.eligibility_ttl_seconds, token=token
    )
    consent = ConsentHandoff(
        base_url=settings.compliance_url, token=token,
        poll_interval=settings.consent_poll_seconds, patience=settings.consent_patience_seconds,
    )  # fmt: skip
    lines = LineCheck(base_url=settings.compliance_url, token=token)
    imports = ImportRunner(
        engine=base.engine, sessions=base.sessions, region=settings.default_region,
        consent=consent, lines=lines,
    )  # fmt: skip
    dispatcher = Dispatcher(
        sessions=base.sessions, eligibility=eligibility, clock=clock.now,
        config=DispatchConfig.of(settings), on_outcome=metrics.count, on_paused=metrics.show_paused,
    )  # fmt: skip
    deps = Deps(
        clock=clock.now,
        events_topic=settings.topic_for("member.sent"),
        reply_window=timedelta(days=settings.reply_window_days),
        default_region=settings.default_region,
        eligibility=eligibility,
        count=metrics.count,
        paused=metrics.pause,
    )
    engine = Engine(settings=settings, clock=clock, paused=metrics.pause)
    progress = ProgressGauges(base.sessions, clock.now, metrics, settings.progress_interval)
    installs = [ENGINE.installer(engine), import_api.RUNNER.installer(imports)]
    return consuming_service(
        base,
        about=ABOUT,
        handlers=routes(deps),
        api=Api(api_router(), writes="campaigns", reads=READS, installs=installs),
        workers={"contact-imports": imports.run, "campaign-progress": progress.run}
        | ({"dispatcher": dispatcher.run} if settings.dispatch else {}),
        closing=[eligibility.aclose, consent.aclose, lines.aclose],
    )


def app_from_env() -> FastAPI:
    return app_from_env_with(Settings, create_app, service=SERVICE)
