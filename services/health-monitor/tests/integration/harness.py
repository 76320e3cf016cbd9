"""The whole pipeline in-process for the monitor's tests: the monitor asks compliance's egress
for its canary (outbound.requests.v1), the egress sends it through the OpenPhone simulator and
answers (outbound.results.v1); the simulator signs its webhooks to the real ingest app, which
publishes to Kafka; the monitor consumes both, writes PostgreSQL and publishes its results; a
real HTTP receiver takes its alerts. Every test has its own topics, consumer groups and schemas.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

import smsbus.compliance
from smsbus.compliance.app import create_app as create_compliance
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.contracts import Envelope, decode_event, dlq_topic
from smsbus.health.app import create_app
from smsbus.health.settings import Settings
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import read_topics, running_ingest
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.testing import StackInfra, eventually, unique_name
from smsbus.runtime.testing_api import AUTH, answers_ready
from smsbus.runtime.testing_kafka import kafka_admin
from smsbus.runtime.testing_migrations import migrate

CANARY = "+14155550177"
"""The default canary number: compliance's gate refuses the simulator's 555-01xx numbers."""
UNDELIVERABLE = "+14155550199"
"""The simulator ends messages to it `undelivered`."""


@dataclass
class AlertReceiver:
    """A real HTTP endpoint for alerts; answers 503 to the first `fail_first` POSTs."""

    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    url: str = ""

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/alerts")
        async def alert(request: Request) -> Response:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return Response(status_code=503, content="try later")
            self.received.append(await request.json())
            return Response(status_code=204)

        return app


@dataclass
class Stack:
    sim: RunningSimulator
    ingest_url: str
    compliance: httpx.AsyncClient
    topics: dict[str, str]
    """Registry topic → this test's."""
    group: str
    database_url: str
    schema: str
    bootstrap: str
    alerts: AlertReceiver

    async def subscribe_ingest(self) -> str:
        """Registers ingest as OpenPhone's message.delivered webhook (failures come too);
        returns the webhook's id."""
        answer = await self.sim.add_webhook(
            f"{self.ingest_url}/webhooks/openphone",
            generation="v4",
            key=self.sim.signing_key,
            events=["message.delivered", "message.received"],
        )
        return str(answer["data"]["id"])

    async def delete_webhook(self, webhook_id: str) -> None:
        """What an admin does by mistake in OpenPhone's settings."""
        async with self.sim.client() as openphone:
            (await openphone.delete(f"/v1/webhooks/{webhook_id}")).raise_for_status()

    async def opt_out(self, phone: str) -> None:
        """The person revokes consent through compliance's API."""
        body = {"phone": phone, "source": "api", "actor": "test", "action": "revoked"}
        answer = await self.compliance.post("/v1/consent", json=body)
        assert answer.status_code == 201, answer.text

    def settings(self, **overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "SMSBUS_DATABASE_URL": self.database_url,
            "SMSBUS_KAFKA_BOOTSTRAP": self.bootstrap,
            "db_schema": self.schema,
            "group_id": self.group,
            "topic_overrides": self.topics,
            "enabled": False,  # the tests start checks through the API
            "canary_from": self.sim.lines[0],
            "canary_to": CANARY,
            # Request → egress → simulator → ingest → Kafka → monitor, with two outbox relays.
            "timeout_seconds": 6.0,
            "sweep_interval_seconds": 0.2,
            "alert_webhook_url": self.alerts.url,
            "alert_retry_initial": 0.2,
            "alert_retry_max": 1.0,
        }
        return Settings(**(fields | overrides))

    @asynccontextmanager
    async def monitor(
        self, *, clock: Callable[[], datetime] | None = None, **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        """The monitor in this event loop (the app factory, under uvicorn on a free port); on
        `clock` instead of the wall clock when given."""
        app = create_app(self.settings(**overrides), **({"clock": clock} if clock else {}))
        async with (
            serving(app, name="health-monitor") as url,
            httpx.AsyncClient(headers=AUTH, base_url=url, timeout=30) as api,
        ):
            await eventually(lambda: answers_ready(api))
            # A canary started before the consumers own their partitions would wait for the
            # join (seconds under load) and fail a short test deadline for a reason the test is
            # not about.
            await eventually(lambda: _joined(self.bootstrap, self.group))
            yield api

    async def events(self, topic: str) -> list[Envelope[Any]]:
        records = (await read_topics(self.bootstrap, [topic]))[topic]
        return [decode_event(record.value) for record in records]

    async def results(self) -> list[Envelope[Any]]:
        return await self.events(self.topics["health.checks.v1"])

    async def result_keys(self) -> list[bytes]:
        records = (await read_topics(self.bootstrap, [self.topics["health.checks.v1"]]))[
            self.topics["health.checks.v1"]
        ]
        return [record.key for record in records]

    async def message_events(self) -> list[Envelope[Any]]:
        return await self.events(self.topics["openphone.messages.v1"])


async def _joined(bootstrap: str, group: str) -> bool:
    """The consumer group has members and has finished assigning partitions."""
    async with kafka_admin(bootstrap) as admin:
        (described,) = await admin.describe_consumer_groups([group])
    return any(
        found["state"] == "Stable" and found["members"] for found in described.to_object()["groups"]
    )


async def decided(api: httpx.AsyncClient, check_id: str, within: float = 30.0) -> dict[str, Any]:
    """The check once it is passed or failed."""

    async def ended() -> dict[str, Any] | None:
        check: dict[str, Any] = (await api.get(f"/checks/{check_id}")).json()
        return check if check["state"] in ("passed", "failed") else None

    result: dict[str, Any] = await eventually(ended, within=within)
    return result


async def start_check(api: httpx.AsyncClient) -> str:
    response = await api.post("/checks")
    assert response.status_code == 202, response.text
    check_id: str = response.json()["id"]
    return check_id


@asynccontextmanager
async def running_compliance(
    infra: StackInfra, *, sim: RunningSimulator, topics: dict[str, str]
) -> AsyncIterator[httpx.AsyncClient]:
    """Compliance (its egress sends the canary) on its own schema and consumer group."""
    schema, group = unique_name("compliance"), unique_name("compliance")
    await migrate(infra.database_url, schema=schema, package=smsbus.compliance)
    for consumed in ("openphone.messages.v1", "outbound.requests.v1"):
        await infra.new_topic(name=dlq_topic(topics[consumed], group))
    settings = ComplianceSettings(
        SMSBUS_DATABASE_URL=infra.database_url, SMSBUS_KAFKA_BOOTSTRAP=infra.bootstrap,
        SMSBUS_OPENPHONE_BASE_URL=sim.base_url, SMSBUS_OPENPHONE_API_KEY=sim.api_key,
        SMSBUS_OPENPHONE_RATE=500.0, db_schema=schema, group_id=group,
        topic_overrides=topics,
        campaigns_url="http://127.0.0.1:9/unused-by-canaries", line_daily_cap=None,
        egress_poll_interval=0.2,
    )  # fmt: skip
    db = make_engine(infra.database_url, schema=schema)
    try:
        async with (
            serving(create_compliance(settings), name="compliance") as url,
            httpx.AsyncClient(headers=AUTH, base_url=url, timeout=30) as api,
        ):
            await eventually(lambda: answers_ready(api))
            await eventually(lambda: _joined(infra.bootstrap, group))
            yield api
    finally:
        await drop_schema(db, schema)
        await db.dispose()


@asynccontextmanager
async def running_stack(
    infra: StackInfra, *, schema: str, alerts: AlertReceiver | None = None, **sim: Any
) -> AsyncIterator[Stack]:
    topics = await infra.registry_topics(partitions=3)
    group = unique_name("health")
    for consumed in ("openphone.messages.v1", "outbound.results.v1"):
        await infra.new_topic(name=dlq_topic(topics[consumed], group))
    receiver = alerts or AlertReceiver()
    sim.setdefault("speed", 100)
    sim.setdefault("failing_numbers", [f"{UNDELIVERABLE}:undelivered"])
    async with (
        running_simulator(demo_history=False, **sim) as simulator,
        serving(receiver.app(), name="alert-receiver") as receiver_url,
    ):
        receiver.url = f"{receiver_url}/alerts"
        ingest_settings = IngestSettings(
            signing_keys=simulator.signing_key,
            kafka_bootstrap=infra.bootstrap,
            topic_overrides=topics,
        )
        async with (
            running_ingest(ingest_settings) as ingest_url,
            running_compliance(infra, sim=simulator, topics=topics) as compliance,
        ):
            yield Stack(
                simulator,
                ingest_url,
                compliance,
                topics,
                group,
                infra.database_url,
                schema,
                infra.bootstrap,
                receiver,
            )


StartStack = Callable[..., AbstractAsyncContextManager[Stack]]
"""The `start_stack` fixture (conftest.py): running_stack on the test's schema and topics."""
