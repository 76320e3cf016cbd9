"""Every service serves `/asyncapi.json` without a token, like /openapi.json: the AsyncAPI
document of its own channels, the one the contracts generate for it. No broker or database is
touched (the apps are built, their lifespans not run). And the headers the document promises are
the ones the runtime writes."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from smsbus.campaigns.app import create_app as campaigns
from smsbus.campaigns.settings import Settings as CampaignSettings
from smsbus.compliance.app import create_app as compliance
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.contracts.asyncapi import DEAD_LETTER_HEADERS, document, load_inputs, services
from smsbus.health.app import create_app as health
from smsbus.health.settings import Settings as HealthSettings
from smsbus.ingest.app import create_app as ingest
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.reconciler.app import create_app as reconciler
from smsbus.reconciler.settings import Settings as ReconcilerSettings
from smsbus.runtime.failures import FailedRecord, dead_letter_headers

KEY = {"SMSBUS_OPENPHONE_API_KEY": "test-key"}
APPS: dict[str, Callable[[], FastAPI]] = {
    "ingest-webhooks": lambda: ingest(IngestSettings(signing_keys="c2lnbmluZy1rZXktZm9yLXRlc3RzLTAwMDAwMDAwMDA=")),
    "compliance": lambda: compliance(ComplianceSettings(**KEY)),
    "campaign-engine": lambda: campaigns(CampaignSettings()),
    "reconciler": lambda: reconciler(ReconcilerSettings(**KEY)),
    "health-monitor": lambda: health(HealthSettings()),
}  # fmt: skip


def test_every_service_of_the_registry_is_checked() -> None:
    assert sorted(APPS) == services()


@pytest.mark.parametrize("service", sorted(APPS))
async def test_a_service_serves_the_document_of_its_own_channels(service: str) -> None:
    transport = httpx.ASGITransport(app=APPS[service]())
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
        served = await http.get("/asyncapi.json")  # no token
    assert served.status_code == 200
    assert served.json() == document(*load_inputs(), service=service)


def test_the_documented_dead_letter_headers_are_those_the_runtime_writes() -> None:
    written = dead_letter_headers(FailedRecord("t", 0, 0, "g"), ValueError("x"), attempts=1)
    assert set(DEAD_LETTER_HEADERS) == set(written)
