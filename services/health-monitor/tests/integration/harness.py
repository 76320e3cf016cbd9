"""The whole pipeline in-process for the monitor's tests: the OpenPhone simulator signs its
webhooks to the real ingest app, which publishes to Kafka; the monitor sends its canary through
the simulator, consumes the messages topic, writes PostgreSQL and publishes its results; a real
HTTP receiver takes its alerts. Every test has its own topics, consumer group and schema."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI, Request, Response

from smsbus.contracts import ROUTES, Envelope, decode_event, dlq_topic
from smsbus.health.app import create_app
from smsbus.health.settings import Settings
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import read_topics, running_ingest
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.testing import NewTopic, eventually, unique_name

INGEST_TOPICS = sorted({route.topic for route in ROUTES if "ingest-webhooks" in route.producers})


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
    topics: dict[str, str]
    checks_topic: str
    group: str
    database_url: str
    schema: str
    bootstrap: str
    alerts: AlertReceiver

    @property
    def messages_topic(self) -> str:
        return self.topics["openphone.messages.v1"]

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

    def settings(self, **overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "SMSBUS_DATABASE_URL": self.database_url,
            "SMSBUS_KAFKA_BOOTSTRAP": self.bootstrap,
            "SMSBUS_OPENPHONE_BASE_URL": self.sim.base_url,
            "SMSBUS_OPENPHONE_API_KEY": self.sim.api_key,
            "db_schema": self.schema,
            "group_id": self.group,
            "messages_topic": self.messages_topic,
            "checks_topic": self.checks_topic,
            "enabled": False,  # the tests start checks through the API
            "canary_from": self.sim.lines[0],
            "timeout_seconds": 3.0,
            "sweep_interval_seconds": 0.2,
            "lookup_interval_seconds": 0.5,
            "alert_webhook_url": self.alerts.url,
            "alert_retry_initial": 0.2,
            "alert_retry_max": 1.0,
        }
        return Settings(**(fields | overrides))

    @asynccontextmanager
    async def monitor(self, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        """The monitor in this event loop (the app factory, under uvicorn on a free port)."""
        async with (
            serving(create_app(self.settings(**overrides)), name="health-monitor") as url,
            httpx.AsyncClient(base_url=url, timeout=30) as api,
        ):
            await eventually(lambda: _ready(api))
            # A canary started before the consumer owns its partitions would wait for the join
            # (seconds under load) and fail a short test deadline for a reason the test is not
            # about.
            await eventually(lambda: _joined(self.bootstrap, self.group))
            yield api

    async def results(self) -> list[Envelope[Any]]:
        records = (await read_topics(self.bootstrap, [self.checks_topic]))[self.checks_topic]
        return [decode_event(record.value) for record in records]

    async def result_keys(self) -> list[bytes]:
        records = (await read_topics(self.bootstrap, [self.checks_topic]))[self.checks_topic]
        return [record.key for record in records]

    async def message_events(self) -> list[Envelope[Any]]:
        topic = self.messages_topic
        return [decode_event(r.value) for r in (await read_topics(self.bootstrap, [topic]))[topic]]


async def _joined(bootstrap: str, group: str) -> bool:
    """The monitor's consumer group has members and has finished assigning partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    return any(
        found["state"] == "Stable" and found["members"] for found in described.to_object()["groups"]
    )


async def _ready(api: httpx.AsyncClient) -> bool:
    try:
        return (await api.get("/readyz")).status_code == 200
    except httpx.TransportError:
        return False


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
async def running_stack(
    *,
    database_url: str,
    schema: str,
    bootstrap: str,
    new_topic: NewTopic,
    alerts: AlertReceiver | None = None,
    **sim: Any,
) -> AsyncIterator[Stack]:
    topics = {
        name: await new_topic(name.removesuffix(".v1").replace(".", "-"), partitions=3)
        for name in INGEST_TOPICS
    }
    checks = await new_topic("health-checks", partitions=3)
    group = unique_name("health")
    await new_topic(name=dlq_topic(topics["openphone.messages.v1"], group))
    receiver = alerts or AlertReceiver()
    sim.setdefault("speed", 100)
    async with (
        running_simulator(demo_history=False, **sim) as simulator,
        serving(receiver.app(), name="alert-receiver") as receiver_url,
    ):
        receiver.url = f"{receiver_url}/alerts"
        ingest_settings = IngestSettings(
            signing_keys=simulator.signing_key, kafka_bootstrap=bootstrap, topic_overrides=topics
        )
        async with running_ingest(ingest_settings) as ingest_url:
            yield Stack(
                simulator,
                ingest_url,
                topics,
                checks,
                group,
                database_url,
                schema,
                bootstrap,
                receiver,
            )
