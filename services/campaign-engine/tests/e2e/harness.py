"""The stack for campaign-engine's end-to-end tests: the OpenPhone simulator signs webhooks to the
real ingest app (→ Kafka), compliance answers eligibility and emits consent events, and the
engine dispatches through the simulator. Own topics, groups and schemas per test; one clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.campaigns
import smsbus.compliance
from smsbus.campaigns.app import create_app
from smsbus.campaigns.clock import Clock
from smsbus.campaigns.settings import Settings
from smsbus.compliance.app import create_app as create_compliance
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.contracts import ROUTES
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import running_ingest
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.db import drop_schema, ensure_schema, make_engine
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.testing import NewTopic, unique_name
from smsbus.runtime.testing import eventually as shared_eventually

TOPICS = sorted({route.topic for route in ROUTES})


# Campaign sends take a few simulated seconds each: a longer, slower poll.
eventually = partial(shared_eventually, within=60.0, every=0.2)


@dataclass
class Stack:
    sim: RunningSimulator
    topics: dict[str, str]
    database_url: str
    bootstrap: str
    schema: str
    clock: Clock
    compliance: httpx.AsyncClient
    db: AsyncEngine
    processes: list[str] = field(default_factory=list)
    """Base URLs of engines running as OS processes: their clocks follow this one."""

    def settings(self, **overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "SMSBUS_DATABASE_URL": self.database_url, "SMSBUS_KAFKA_BOOTSTRAP": self.bootstrap,
            "SMSBUS_OPENPHONE_BASE_URL": self.sim.base_url, "SMSBUS_OPENPHONE_API_KEY": self.sim.api_key,
            "db_schema": self.schema, "group_id": unique_name("campaign_engine"),
            "messages_topic": self.topics["openphone.messages.v1"],
            "contacts_topic": self.topics["openphone.contacts.v1"],
            "consent_topic": self.topics["compliance.consent.v1"],
            "events_topic": self.topics["campaigns.events.v1"],
            "compliance_url": str(self.compliance.base_url), "openphone_rate": 500.0,
            "dispatch_interval": 0.2, "dispatch_batch": 100, "send_concurrency": 16,
            "lease_seconds": 3.0, "eligibility_ttl_seconds": 0.5, "clock_control": True,
        }  # fmt: skip
        return Settings(**(fields | overrides))

    @asynccontextmanager
    async def engine(self, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(self.settings(**overrides), clock=self.clock)
        async with (
            serving(app, name="campaign-engine") as url,
            httpx.AsyncClient(base_url=url, timeout=60) as api,
        ):
            await eventually(lambda: _ready(api))
            yield api

    async def set_time(self, when: datetime) -> None:
        self.clock.set(when)
        await self._sync_clocks()

    async def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        await self._sync_clocks()

    async def _sync_clocks(self) -> None:
        """The simulator and every engine process jump with the test's clock (an engine app in
        this process shares `self.clock`; a process has its own and is told over HTTP)."""
        now = self.clock.now().isoformat()
        await self.sim.clock(set=now)
        async with httpx.AsyncClient(timeout=30) as http:
            for url in self.processes:
                response = await http.post(f"{url}/v1/testing/clock", json={"set": now})
                response.raise_for_status()

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.db.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.db.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())


async def _ready(api: httpx.AsyncClient) -> bool:
    try:
        return (await api.get("/readyz")).status_code == 200
    except httpx.TransportError:
        return False


@asynccontextmanager
async def running_stack(
    *, database_url: str, bootstrap: str, new_topic: NewTopic, start: datetime
) -> AsyncIterator[Stack]:
    topics = {
        name: await new_topic(name.removesuffix(".v1").replace(".", "-"), partitions=3)
        for name in TOPICS
    }
    schema, compliance_schema = unique_name("campaigns"), unique_name("compliance")
    await upgrade(
        database_url,
        schema=schema,
        script_location=Path(smsbus.campaigns.__file__).parent / "migrations",
    )
    await upgrade(
        database_url,
        schema=compliance_schema,
        script_location=Path(smsbus.compliance.__file__).parent / "migrations",
    )
    db = make_engine(database_url, schema=schema)
    clock = Clock(start)
    try:
        async with running_simulator(speed=100, demo_history=False, rate_limit_per_second=0) as sim:
            await sim.clock(set=start.isoformat())
            ingest = IngestSettings(
                signing_keys=sim.signing_key, kafka_bootstrap=bootstrap, topic_overrides=topics
            )
            async with running_ingest(ingest) as ingest_url:
                await sim.add_webhook(
                    f"{ingest_url}/webhooks/openphone",
                    generation="v4",
                    key=sim.signing_key,
                    events=["message.received", "message.delivered"],
                )
                compliance_settings = ComplianceSettings(
                    SMSBUS_DATABASE_URL=database_url, SMSBUS_KAFKA_BOOTSTRAP=bootstrap,
                    SMSBUS_OPENPHONE_BASE_URL=sim.base_url, SMSBUS_OPENPHONE_API_KEY=sim.api_key,
                    db_schema=compliance_schema, group_id=unique_name("compliance"),
                    messages_topic=topics["openphone.messages.v1"], consent_topic=topics["compliance.consent.v1"],
                    marketing_requires_express_consent=False, confirmation_poll_interval=0.2,
                )  # fmt: skip
                async with (
                    serving(
                        create_compliance(compliance_settings, clock=clock.now), name="compliance"
                    ) as url,
                    httpx.AsyncClient(base_url=url, timeout=60) as compliance,
                ):
                    await eventually(lambda: _ready(compliance))
                    yield Stack(sim, topics, database_url, bootstrap, schema, clock, compliance, db)
    finally:
        for name in (schema, compliance_schema):
            await drop_schema(db, name)
        await db.dispose()


async def ensure(db: AsyncEngine, schema: str) -> None:
    await ensure_schema(db, schema)
