"""The egress as the settings describe it: its rules and timings, its OpenPhone client on the
key's budget shared by every process of every service, and its two lanes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.domain.gate import Rules
from smsbus.compliance.egress.requesters import CampaignStates
from smsbus.compliance.egress.sender import BULK, URGENT, Egress, EgressConfig
from smsbus.compliance.egress.timings import Timings
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.settings import Settings
from smsbus.openphone import HEADROOM, OpenPhoneClient, RetryPolicy
from smsbus.runtime.budget import key_budget
from smsbus.runtime.failures import Backoff


def egress_config(settings: Settings) -> EgressConfig:
    return EgressConfig(
        results_topic=settings.topic_for("send.accepted"),
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


def openphone_client(
    settings: Settings,
    engine: AsyncEngine,
    metrics: ComplianceMetrics,
    clock: Callable[[], datetime],
) -> OpenPhoneClient:
    """One attempt per call: the egress retries itself, never holding a number's lock."""
    return OpenPhoneClient(
        api_key=settings.openphone_api_key,
        base_url=settings.openphone_base_url,
        timeout=settings.openphone_timeout,
        retry=RetryPolicy(max_attempts=1),
        bucket=key_budget(engine, settings, headroom=HEADROOM, metrics=metrics.base),
        agent="compliance-egress",
        now=clock,
    )


def campaign_states(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> CampaignStates:
    """campaign-engine, asked whether a campaign still runs as its text leaves."""
    token = settings.api_token.get_secret_value() if settings.api_token else None
    return CampaignStates(
        base_url=settings.campaigns_url, timeout=3.0, token=token, transport=transport
    )


def lanes(
    settings: Settings,
    engine: AsyncEngine,
    client: OpenPhoneClient,
    campaigns: CampaignStates,
    clock: Callable[[], datetime],
    metrics: ComplianceMetrics,
) -> dict[str, Egress]:
    """The urgent lane (confirmations, HELP, the canary) and the bulk one, by name: each its own
    loop."""
    config = egress_config(settings)
    return {
        lane.name: Egress(
            engine=engine,
            client=client,
            campaigns=campaigns,
            clock=clock,
            config=config,
            lane=lane,
            metrics=metrics.egress,
        )
        for lane in (URGENT, BULK)
    }
