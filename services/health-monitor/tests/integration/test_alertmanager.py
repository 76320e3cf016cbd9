"""Alertmanager's webhook (payloads a real Alertmanager 0.25 sent, in testdata/alertmanager)
into the alerts table, then delivered to a real HTTP receiver in the monitor's alert format;
against a real PostgreSQL (no lifespan, no broker)."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.health.alerting import AlertConfig, AlertSender
from smsbus.health.app import create_app
from smsbus.health.settings import Settings
from smsbus.openphone_sim.testing import serving
from smsbus.runtime.db import make_sessions
from smsbus.runtime.testing_api import AUTH

from .harness import AlertReceiver

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
SAMPLES = Path(__file__).parents[1] / "testdata/alertmanager"


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return loaded


def monitor(database_url: str, schema: str, alert_url: str | None) -> httpx.AsyncClient:
    settings = Settings(
        SMSBUS_DATABASE_URL=database_url, db_schema=schema, alert_webhook_url=alert_url
    )
    app = create_app(settings, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://health-monitor", headers=AUTH)


async def deliver(engine: AsyncEngine, url: str, *, at: datetime) -> int:
    """One pass of the monitor's alert delivery, at `at`."""
    async with httpx.AsyncClient(timeout=5) as http:
        sender = AlertSender(
            sessions=make_sessions(engine),
            http=http,
            clock=lambda: at,
            config=AlertConfig(url=url, max_attempts=3),
        )
        return await sender.deliver_due()


async def test_rule_alerts_reach_the_alert_webhook_once_in_the_monitors_format(
    database_url: str, schema: str, engine: AsyncEngine
) -> None:
    receiver = AlertReceiver(fail_first=1)
    async with (
        serving(receiver.app(), name="alert-receiver") as url,
        monitor(database_url, schema, f"{url}/alerts") as api,
    ):
        answers = []
        for name in (
            "canary_failing_firing.json",
            "consumer_lag_firing.json",
            "canary_failing_firing.json",  # Alertmanager's retry, or a group change
            "canary_failing_resolved.json",
        ):
            answer = await api.post("/alerts/alertmanager", json=sample(name))
            assert answer.status_code == 200, answer.text
            answers.append(answer.json())
        assert [(a["forwarded"], a["duplicates"]) for a in answers] == [
            (1, 0),
            (1, 0),
            (0, 1),
            (1, 0),
        ]
        listed = (await api.get("/alerts")).json()["alerts"]
        assert [(a["source"], a["kind"], a["status"]) for a in listed] == [
            ("prometheus", "recovered", "pending"),
            ("prometheus", "alert", "pending"),
            ("prometheus", "alert", "pending"),
        ]

        # The receiver refuses the first POST; that alert is retried an hour later.
        assert await deliver(engine, f"{url}/alerts", at=NOW) == 2
        assert await deliver(engine, f"{url}/alerts", at=NOW + timedelta(hours=1)) == 1
        listed = (await api.get("/alerts")).json()["alerts"]
        assert {a["status"] for a in listed} == {"delivered"}

    lag, resolved, firing = receiver.received  # the first one came last, retried
    assert firing["text"] == (
        "smsbus CRITICAL CanaryFailing: the canary SMS does not come back through the pipeline"
    )
    assert (firing["kind"], firing["status"], firing["service"]) == (
        "alert",
        "firing",
        "health-monitor",
    )
    assert firing["rule"]["generator_url"].startswith("http://prometheus:9090/graph")
    assert firing["rule"]["ends_at"] is None
    assert lag["text"].startswith("smsbus WARNING ConsumerLagHigh: compliance is")
    assert (lag["service"], lag["rule"]["labels"]["topic"]) == (
        "compliance",
        "openphone.messages.v1",
    )
    assert resolved["text"].startswith("smsbus RESOLVED CanaryFailing")
    assert (resolved["kind"], resolved["at"]) == ("recovered", resolved["rule"]["ends_at"])


async def test_without_an_alert_webhook_they_are_recorded_as_skipped(
    database_url: str, schema: str
) -> None:
    async with monitor(database_url, schema, None) as api:
        answer = await api.post("/alerts/alertmanager", json=sample("consumer_lag_firing.json"))
        assert answer.json() == {"forwarded": 1, "duplicates": 0}
        [alert] = (await api.get("/alerts")).json()["alerts"]
    assert (alert["status"], alert["text"][:30]) == ("skipped", "smsbus WARNING ConsumerLagHigh")


async def test_a_notification_that_is_not_alertmanagers_is_refused(
    database_url: str, schema: str
) -> None:
    async with monitor(database_url, schema, None) as api:
        answer = await api.post("/alerts/alertmanager", json={"text": "hello"})
        assert answer.status_code == 422
        assert (await api.get("/alerts")).json() == {"alerts": []}
