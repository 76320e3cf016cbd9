"""Hostile input of each kind the fuzzing found (tests-e2e/test_fuzz_apis.py) gets a documented
4xx, not a 500: through the app with a real PostgreSQL (no lifespan)."""

from typing import Any

import httpx
import pytest

from smsbus.health.app import create_app
from smsbus.health.settings import Settings
from smsbus.runtime.testing import Hostile, check_hostile

pytestmark = pytest.mark.integration


def _notification(**labels: str) -> dict[str, Any]:
    alert = {
        "status": "firing",
        "labels": labels,
        "startsAt": "2026-03-03T10:00:00Z",
        "fingerprint": "f1",
    }
    return {"version": "4", "status": "firing", "alerts": [alert]}  # fmt: skip


CASES = [
    Hostile("unknown check", "GET", "/checks/nope", 404),
    Hostile("NUL in a check id", "GET", "/checks/a%00", 422),
    Hostile("NUL in an alert's label (jsonb)", "POST", "/alerts/alertmanager", 422, json=_notification(alertname="a\x00")),
    Hostile("an alert starting before year 1 in UTC", "POST", "/alerts/alertmanager", 422, json=_notification(alertname="x") | {"alerts": [{"status": "firing", "labels": {}, "startsAt": "0001-01-01T00:00:00+14:00", "fingerprint": "f"}]}),
    Hostile("an alert's time without an offset", "POST", "/alerts/alertmanager", 422, json=_notification(alertname="x") | {"alerts": [{"status": "resolved", "labels": {}, "startsAt": "2026-03-03T10:00:00", "endsAt": "2026-03-03T11:00:00Z", "fingerprint": "f"}]}),
    Hostile("body not UTF-8", "POST", "/alerts/alertmanager", 400, content=b"\xff", headers={"content-type": "application/json"}),
]  # fmt: skip


def client(database_url: str, schema: str) -> httpx.AsyncClient:
    fields: dict[str, Any] = {"SMSBUS_DATABASE_URL": database_url, "db_schema": schema}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(Settings(**fields))),
        base_url="http://health-monitor",
    )


async def test_hostile_input_gets_a_documented_4xx(database_url: str, schema: str) -> None:
    async with client(database_url, schema) as http:
        await check_hostile(http, CASES)
