"""The stack the egress's end-to-end tests run: the OpenPhone simulator signing webhooks to the
real ingest app (→ this test's own Kafka topics), compliance and its egress in this event loop,
campaign-engine as real OS processes (`python -m smsbus.campaigns`, killed with SIGKILL when a
test says so). One clock for all of them: the test's, the simulator's and every engine's move
together, so nights and days pass by jumping it."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import phonenumbers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.campaigns
import smsbus.compliance
from smsbus.campaigns.clock import Clock
from smsbus.campaigns.settings import Settings as EngineSettings
from smsbus.compliance.app import create_app as create_compliance
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import free_port, running_ingest
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.testing import StackInfra, eventually, unique_name
from smsbus.runtime.testing_api import AUTH, answers_ready
from smsbus.runtime.testing_migrations import migrated_schemas
from smsbus.runtime.testing_processes import Process, start_process

EGRESS_AGENT = "smsbus-compliance-egress/0.1"
TEMPLATE = "Hi {first_name}, 20% off this week. Reply STOP to opt out."
CAMPAIGN_TEXT = "20% off this week"


Engine = Process


@dataclass
class EgressStack:
    sim: RunningSimulator
    topics: dict[str, str]
    database_url: str
    bootstrap: str
    clock: Clock
    compliance: httpx.AsyncClient
    compliance_db: AsyncEngine
    campaigns_db: AsyncEngine
    campaigns_schema: str
    engine_port: int
    """The port campaign-engine answers on (compliance asks it whether a campaign runs)."""
    engines: list[Engine] = field(default_factory=list)

    @property
    def line(self) -> str:
        return self.sim.lines[0]

    def engine_settings(self, **overrides: Any) -> EngineSettings:
        fields: dict[str, Any] = {
            "SMSBUS_DATABASE_URL": self.database_url, "SMSBUS_KAFKA_BOOTSTRAP": self.bootstrap,
            "db_schema": self.campaigns_schema, "group_id": unique_name("campaign_engine"),
            "topic_overrides": self.topics,
            "compliance_url": str(self.compliance.base_url), "dispatch_interval": 0.2,
            "eligibility_ttl_seconds": 0.5, "clock_control": True, "clock_start": self.clock.now(),
        }  # fmt: skip
        return EngineSettings(**(fields | overrides))

    async def start_engine(self, *, port: int | None = None, **overrides: Any) -> Engine:
        """An engine process (on the stack's engine port unless told otherwise), ready."""
        settings = self.engine_settings(**overrides)
        engine = await start_process(
            "smsbus.campaigns", settings, prefix="SMSBUS_CAMPAIGNS_", port=port or self.engine_port
        )
        self.engines.append(engine)
        await self.set_time(self.clock.now())
        return engine

    def kill(self, engine: Engine) -> None:
        engine.kill()
        self.engines.remove(engine)

    def api(self, engine: Engine | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(headers=AUTH, base_url=(engine or self.engines[0]).url, timeout=60)

    async def set_time(self, when: datetime) -> None:
        """Every clock jumps: the test's (compliance shares it), the simulator's, each engine's."""
        self.clock.set(when)
        await self.sim.clock(set=when.isoformat())
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as http:
            for engine in self.engines:
                response = await http.post(
                    f"{engine.url}/v1/testing/clock", json={"set": when.isoformat()}
                )
                response.raise_for_status()

    async def campaign(self, phones: list[str], **options: Any) -> str:
        """Contacts for `phones`, a marketing campaign to all of them from our line; its id."""
        async with self.api() as api:
            return await create_campaign(api, line=self.line, phones=phones, **options)

    async def act(self, campaign_id: str, action: str) -> dict[str, Any]:
        async with self.api() as api:
            response = await api.post(f"/v1/campaigns/{campaign_id}/{action}")
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body

    async def get_campaign(self, campaign_id: str) -> dict[str, Any]:
        async with self.api() as api:
            body: dict[str, Any] = (await api.get(f"/v1/campaigns/{campaign_id}")).json()
            return body

    async def campaign_texts(self) -> Counter[str]:
        """Campaign texts OpenPhone holds, per recipient."""
        outgoing = await self.sim.messages(direction="outgoing")
        return Counter(m["to"][0] for m in outgoing if CAMPAIGN_TEXT in m["text"])

    async def confirmations(self) -> Counter[str]:
        outgoing = await self.sim.messages(direction="outgoing")
        return Counter(m["to"][0] for m in outgoing if "You are unsubscribed" in m["text"])

    async def egress_rows(self, purpose: str = "marketing") -> list[Any]:
        return await self.rows(
            self.compliance_db,
            "SELECT phone, status, reason, attempts, recovered, message_id FROM outbound_messages "
            "WHERE purpose = :p ORDER BY phone",
            p=purpose,
        )

    async def members(self, campaign_id: str) -> list[Any]:
        return await self.rows(
            self.campaigns_db,
            "SELECT phone, status, reason, message_id, recovered FROM members "
            "WHERE campaign_id = :c ORDER BY phone",
            c=campaign_id,
        )

    async def stop(self, phone: str) -> None:
        await self.sim.inbound_message(sender=phone, to=self.line, text="STOP")

    async def opted_out(self, phone: str) -> bool:
        body = (await self.compliance.get(f"/v1/consent/{phone}")).json()
        return bool(body["suppressed"])

    async def only_the_egress_posted_messages(self) -> None:
        """The simulator's own log: every POST /v1/messages came from compliance's egress."""
        posts = [
            r
            for r in await self.sim.requests()
            if r["method"] == "POST" and r["path"] == "/v1/messages"
        ]
        assert posts, "nothing was sent at all"
        assert {r["agent"] for r in posts} == {EGRESS_AGENT}

    @staticmethod
    async def rows(db: AsyncEngine, sql: str, **params: Any) -> list[Any]:
        async with db.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())


async def create_campaign(
    api: httpx.AsyncClient,
    *,
    line: str,
    phones: list[str],
    purpose: str = "marketing",
    window: dict[str, Any] | None = None,
    state: str = "",
    name: str = "e2e",
    start: bool = True,
) -> str:
    """Contacts for `phones` and a campaign to all of them from `line`, through the engine's
    API (`api`); its id."""
    rows = "".join(f"N{i},{phone},,{state}\n" for i, phone in enumerate(phones))
    body = "first_name,phone,company,state\n" + rows
    files = {"file": ("audience.csv", io.BytesIO(body.encode()), "text/csv")}
    imported = await api.post("/v1/contacts", files=files)
    assert imported.status_code == 201, imported.text
    spec = {
        "name": name, "line": line, "purpose": purpose, "daily_limit": None,
        "min_gap_days": None, "variants": [{"name": "A", "template": TEMPLATE}],
        "window": window or {"days": list(range(7)), "start": "08:00", "end": "20:00"},
        "timezone": "America/New_York",
    }  # fmt: skip
    created = await api.post("/v1/campaigns", json=spec)
    assert created.status_code == 201, created.text
    campaign_id: str = created.json()["id"]
    ids = imported.json()["contact_ids"]
    added = await api.post(f"/v1/campaigns/{campaign_id}/members", json={"contact_ids": ids})
    assert added.status_code == 201, added.text
    if start:
        assert (await api.post(f"/v1/campaigns/{campaign_id}/start")).status_code == 200
    return campaign_id


@asynccontextmanager
async def running_stack(
    infra: StackInfra,
    *,
    start: datetime,
    sim_speed: float = 100,
    sim_rate_limit: float = 0,
    **compliance: Any,
) -> AsyncIterator[EgressStack]:
    """`compliance`: settings of compliance's beyond the stack's (line_daily_cap=10…);
    `sim_rate_limit`: OpenPhone's requests per second per key (0: none)."""
    database_url, bootstrap = infra.database_url, infra.bootstrap
    topics = await infra.registry_topics(partitions=3)
    schemas = await migrated_schemas(
        database_url, {"compliance": smsbus.compliance, "campaigns": smsbus.campaigns}
    )
    compliance_db = make_engine(database_url, schema=schemas["compliance"])
    campaigns_db = make_engine(database_url, schema=schemas["campaigns"])
    clock = Clock(start)
    engine_port = free_port()
    stack: EgressStack | None = None
    try:
        async with AsyncExitStack() as context:
            sim = await context.enter_async_context(
                running_simulator(
                    speed=sim_speed, demo_history=False, rate_limit_per_second=sim_rate_limit
                )
            )
            await sim.clock(set=start.isoformat())
            ingest = IngestSettings(
                signing_keys=sim.signing_key, kafka_bootstrap=bootstrap, topic_overrides=topics
            )
            ingest_url = await context.enter_async_context(running_ingest(ingest))
            await sim.add_webhook(
                f"{ingest_url}/webhooks/openphone", generation="v4", key=sim.signing_key,
                events=["message.received", "message.delivered"],
            )  # fmt: skip
            settings = ComplianceSettings(
                **{
                    "SMSBUS_DATABASE_URL": database_url,
                    "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
                    "SMSBUS_OPENPHONE_BASE_URL": sim.base_url,
                    "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
                    "SMSBUS_OPENPHONE_RATE": 50.0,
                    "SMSBUS_OPENPHONE_BURST": 10,
                    "db_schema": schemas["compliance"],
                    "group_id": unique_name("compliance"),
                    "topic_overrides": topics,
                    "campaigns_url": f"http://127.0.0.1:{engine_port}",
                    "marketing_requires_express_consent": False,
                    "line_daily_cap": None,
                    "openphone_timeout": 1.0,
                    "egress_lookup_after_seconds": 3.0,
                    "egress_poll_interval": 0.2,
                    "egress_retry_initial": 0.2,
                    "egress_retry_max": 2.0,
                }
                | compliance
            )
            url = await context.enter_async_context(
                serving(create_compliance(settings, clock=clock.now), name="compliance")
            )
            api = await context.enter_async_context(
                httpx.AsyncClient(headers=AUTH, base_url=url, timeout=60)
            )
            await eventually(lambda: answers_ready(api))
            stack = EgressStack(
                sim, topics, database_url, bootstrap, clock, api, compliance_db, campaigns_db,
                schemas["campaigns"], engine_port,
            )  # fmt: skip
            yield stack
    finally:
        for engine in stack.engines if stack else []:
            engine.kill()
        for schema in schemas.values():
            await drop_schema(compliance_db, schema)
        await compliance_db.dispose()
        await campaigns_db.dispose()


def valid_numbers(count: int, *, area: int, offset: int = 0, spacing: int = 10_000) -> list[str]:
    """Distinct valid US numbers in `area` (the egress refuses invalid ones), `spacing` candidates
    apart per offset."""
    found: list[str] = []
    n = offset * spacing
    while len(found) < count:
        candidate = f"+1{area}{234 + n // 10000:03d}{n % 10000:04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            found.append(candidate)
        n += 7
    return found
