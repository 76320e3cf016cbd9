"""The stack for campaign-engine's end-to-end tests: the OpenPhone simulator signs webhooks to the
real ingest app (→ Kafka); compliance answers eligibility, emits consent events and owns the
egress (it consumes the engine's send requests, texts through the simulator, answers on the
results topic); the engine dispatches by asking the egress. Own topics, groups and schemas per
test; one clock.

compliance asks campaign-engine whether a campaign still runs before each campaign text; the
engines come and go during a test (in this process, as OS processes, killed), so compliance is
given the URL of a small front that forwards to whichever engine is up, as a load balancer
would (none up: 503, and the egress waits).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

import httpx
from fastapi import FastAPI, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.campaigns
import smsbus.compliance
from smsbus.campaigns.app import create_app
from smsbus.campaigns.clock import Clock
from smsbus.campaigns.settings import Settings
from smsbus.compliance.app import create_app as create_compliance
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import running_ingest
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.testing import StackInfra, unique_name
from smsbus.runtime.testing import eventually as shared_eventually
from smsbus.runtime.testing_api import AUTH, answers_ready
from smsbus.runtime.testing_migrations import migrated_schemas

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
    egress_db: AsyncEngine
    """compliance's schema: where a request held by the egress (and until when) is seen."""
    group: str = field(default_factory=lambda: unique_name("campaign_engine"))
    """One consumer group for every engine of the test, as replicas share one in production."""
    engines: list[str] = field(default_factory=list)
    """Base URLs of the engines up now (the front forwards to them)."""
    processes: list[str] = field(default_factory=list)
    """Base URLs of engines running as OS processes: their clocks follow this one."""

    def settings(self, **overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "SMSBUS_DATABASE_URL": self.database_url, "SMSBUS_KAFKA_BOOTSTRAP": self.bootstrap,
            "db_schema": self.schema, "group_id": self.group,
            "topic_overrides": self.topics,
            "compliance_url": str(self.compliance.base_url),
            "dispatch_interval": 0.2, "dispatch_batch": 100,
            "eligibility_ttl_seconds": 0.5, "clock_control": True,
        }  # fmt: skip
        return Settings(**(fields | overrides))

    @asynccontextmanager
    async def engine(self, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(self.settings(**overrides), clock=self.clock)
        async with (
            serving(app, name="campaign-engine") as url,
            httpx.AsyncClient(headers=AUTH, base_url=url, timeout=60) as api,
        ):
            await eventually(lambda: answers_ready(api))
            self.engines.append(url)
            try:
                yield api
            finally:
                self.engines.remove(url)

    async def set_time(self, when: datetime) -> None:
        self.clock.set(when)
        await self._sync_clocks()

    async def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        await self._sync_clocks()

    async def _sync_clocks(self) -> None:
        """The simulator and every engine process jump with the test's clock (an engine app and
        compliance in this process share `self.clock`; a process is told over HTTP)."""
        now = self.clock.now().isoformat()
        await self.sim.clock(set=now)
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as http:
            for url in self.processes:
                response = await http.post(f"{url}/v1/testing/clock", json={"set": now})
                response.raise_for_status()

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.db.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.db.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())

    async def held(self) -> tuple[int, datetime | None]:
        """Requests in flight that the egress holds until later (outside the recipient's hours,
        the engine unreachable): how many, and the first time one is due again."""
        requests = [r[0] for r in await self.rows(
            "SELECT id || ':' || attempts FROM members WHERE status = 'sending'"
        )]  # fmt: skip
        async with self.egress_db.connect() as conn:
            row = (await conn.execute(text(
                "SELECT count(*), min(next_attempt_at) FROM outbound_messages "
                "WHERE id = ANY(:ids) AND status = 'held' AND next_attempt_at > :now"
            ), {"ids": requests, "now": self.clock.now()})).one()  # fmt: skip
        return int(row[0]), row[1]


def front(stack: list[Stack]) -> FastAPI:
    """campaign-engine's front for compliance: GET /v1/campaigns/{id} from an engine that is up."""
    app = FastAPI()

    @app.get("/v1/campaigns/{campaign_id}")
    async def campaign(campaign_id: str) -> Response:
        urls = [*stack[0].engines, *stack[0].processes] if stack else []
        async with httpx.AsyncClient(headers=AUTH, timeout=5, trust_env=False) as http:
            for url in urls:
                try:
                    answer = await http.get(f"{url}/v1/campaigns/{campaign_id}")
                except httpx.TransportError:
                    continue  # killed a moment ago
                return Response(answer.content, answer.status_code, media_type="application/json")
        return Response(b'{"detail": "no campaign-engine up"}', 503, media_type="application/json")

    return app


@asynccontextmanager
async def running_stack(
    infra: StackInfra, *, start: datetime, **egress: Any
) -> AsyncIterator[Stack]:
    """The stack; `egress` overrides compliance's settings (e.g. `line_daily_cap=3`)."""
    database_url, bootstrap = infra.database_url, infra.bootstrap
    topics = await infra.registry_topics(partitions=3)
    schemas = await migrated_schemas(
        database_url, {"campaigns": smsbus.campaigns, "compliance": smsbus.compliance}
    )
    schema, compliance_schema = schemas["campaigns"], schemas["compliance"]
    db = make_engine(database_url, schema=schema)
    egress_db = make_engine(database_url, schema=compliance_schema)
    clock = Clock(start)
    up: list[Stack] = []
    try:
        async with (
            running_simulator(speed=100, demo_history=False, rate_limit_per_second=0) as sim,
            serving(front(up), name="campaign-engine-front") as front_url,
        ):
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
                compliance_settings = ComplianceSettings(**({
                    "SMSBUS_DATABASE_URL": database_url, "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
                    "SMSBUS_OPENPHONE_BASE_URL": sim.base_url, "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
                    "db_schema": compliance_schema, "group_id": unique_name("compliance"),
                    "topic_overrides": topics,
                    "campaigns_url": front_url, "line_daily_cap": None, "openphone_rate": 500.0,
                    "marketing_requires_express_consent": False, "egress_poll_interval": 0.2,
                    # A POST cut off may land until then: short for the tests (three timeouts).
                    "openphone_timeout": 1.0, "egress_lookup_after_seconds": 3.0,
                } | egress))  # fmt: skip
                async with (
                    serving(
                        create_compliance(compliance_settings, clock=clock.now), name="compliance"
                    ) as url,
                    httpx.AsyncClient(headers=AUTH, base_url=url, timeout=60) as compliance,
                ):
                    await eventually(lambda: answers_ready(compliance))
                    stack = Stack(
                        sim, topics, database_url, bootstrap, schema, clock, compliance, db,
                        egress_db,
                    )  # fmt: skip
                    up.append(stack)
                    yield stack
    finally:
        for name in (schema, compliance_schema):
            await drop_schema(db, name)
        await db.dispose()
        await egress_db.dispose()


StartStack = Callable[..., AbstractAsyncContextManager[Stack]]
"""The `start_stack` fixture (conftest.py): running_stack on the test's topics."""
