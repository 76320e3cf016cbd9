"""One campaign-engine (dispatching) on real Kafka and PostgreSQL, with the test playing the
egress: it reads the engine's send requests from the outbox and publishes the egress's answers
on the results topic, through the engine's real consumer. compliance's eligibility is answered
from a dict (its HTTP API, served on loopback)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns.app import create_app
from smsbus.campaigns.clock import Clock
from smsbus.campaigns.settings import Settings
from smsbus.contracts import decode_event, make_envelope
from smsbus.contracts.outbound import (
    SendAccepted,
    SendDeferred,
    SendFailed,
    SendRefused,
    SendRequested,
)
from smsbus.openphone_sim.testing import serving
from smsbus.runtime.kafka import make_broker, publish_event
from smsbus.runtime.testing import RegistryTopics, unique_name
from smsbus.runtime.testing import eventually as shared_eventually
from smsbus.runtime.testing_api import AUTH, answers_ready

START = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # Tuesday 13:00 EST, 10:00 PST: windows open
LINE = "PNtestline01"
Result = SendAccepted | SendRefused | SendDeferred | SendFailed
_TYPES = {SendAccepted: "send.accepted", SendRefused: "send.refused",
          SendDeferred: "send.deferred", SendFailed: "send.failed"}  # fmt: skip

eventually = partial(shared_eventually, within=60.0, every=0.2)


def compliance(ineligible: dict[str, list[str]]) -> FastAPI:
    """compliance's POST /v1/eligibility: everyone may be texted unless `ineligible` says not."""
    app = FastAPI()

    @app.post("/v1/eligibility")
    async def eligibility(body: dict[str, Any]) -> dict[str, Any]:
        phones = body["phones"]
        return {"results": [{"input": p, "reasons": ineligible.get(p, [])} for p in phones]}

    return app


@dataclass
class Rig:
    api: httpx.AsyncClient
    db: AsyncEngine
    broker: KafkaBroker
    topics: dict[str, str]
    """Registry topic → this test's."""
    clock: Clock
    ineligible: dict[str, list[str]] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)
    """Dedupe keys of the answers published (a redelivery has one already)."""

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.db.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())

    async def scalar(self, sql: str, **params: Any) -> Any:
        return (await self.rows(sql, **params))[0][0]

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.db.begin() as conn:
            await conn.execute(text(sql), params)

    async def member(self, phone: str) -> Any:
        return (await self.rows("SELECT * FROM members WHERE phone = :p", p=phone))[0]

    async def campaign(self, phones: list[str], **fields: Any) -> str:
        """Contacts for `phones` (row i: first name P<i>, state from `states`), one campaign
        with all of them as members, started."""
        states = fields.pop("states", {})
        body = "first_name,phone,state\n" + "".join(
            f"P{i},{p},{states.get(p, '')}\n" for i, p in enumerate(phones)
        )
        files = {"file": ("a.csv", io.BytesIO(body.encode()), "text/csv")}
        contacts = (await self.api.post("/v1/contacts", files=files)).json()
        spec = {
            "name": "x",
            "line": LINE,
            "variants": [{"name": "A", "template": "Hi {first_name}"}],
        }
        created = await self.api.post("/v1/campaigns", json=spec | fields)
        assert created.status_code == 201, created.text
        campaign_id: str = created.json()["id"]
        added = await self.api.post(
            f"/v1/campaigns/{campaign_id}/members", json={"contact_ids": contacts["contact_ids"]}
        )
        assert added.json()["added"] == len(phones), added.text
        assert (await self.api.post(f"/v1/campaigns/{campaign_id}/start")).status_code == 200
        return campaign_id

    async def requests(self) -> list[SendRequested]:
        """Every send request the engine committed, in order."""
        rows = await self.rows(
            "SELECT value FROM outbox WHERE event_type = 'send.requested' ORDER BY id"
        )
        return [decode_event(bytes(r[0])).data for r in rows]

    async def requested(self, count: int) -> dict[str, SendRequested]:
        """Waits for `count` requests in all; the latest per recipient."""

        async def enough() -> bool:
            return len(await self.requests()) >= count

        await eventually(enough)
        return {r.to: r for r in await self.requests()}

    async def answer(self, result: Result, *, event_id: str | None = None) -> None:
        """Publishes the egress's answer (its deterministic event id unless told otherwise)."""
        event_type = _TYPES[type(result)]
        envelope = make_envelope(
            result,
            event_type=event_type,
            event_id=event_id or f"compliance-{event_type}-{result.request_id}",
            object_id=result.request_id if event_id is None else event_id,
            source="compliance",
            occurred_at=result.at,
            recorded_at=result.at,
            correlation_id=result.campaign_id,
        )
        await publish_event(self.broker, envelope, topic=self.topics["outbound.results.v1"])
        self.answered.add(envelope.dedupe_key)

    async def processed(self) -> int:
        return int(await self.scalar("SELECT count(*) FROM processed_events"))

    async def metric(self, name: str, **labels: str) -> float:
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        body = (await self.api.get("/metrics")).text
        for line in body.splitlines():
            if line.startswith(f"smsbus_campaign_engine_{name}{{{wanted}}} "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


def of(request: SendRequested, at: datetime) -> dict[str, Any]:
    """The fields every answer to `request` carries."""
    return {
        "request_id": request.request_id, "purpose": request.purpose, "requester": request.requester,
        "to": request.to, "line": request.line, "campaign_id": request.campaign_id,
        "member_id": request.member_id, "at": at,
    }  # fmt: skip


@asynccontextmanager
async def running_rig(
    *, engine: AsyncEngine, db_schema: str, database_url: str, kafka_bootstrap: str,
    registry_topics: RegistryTopics,
) -> AsyncIterator[Rig]:  # fmt: skip
    topics = await registry_topics()
    ineligible: dict[str, list[str]] = {}
    clock = Clock(START)
    async with serving(compliance(ineligible), name="compliance") as compliance_url:
        settings = Settings(
            SMSBUS_DATABASE_URL=database_url, SMSBUS_KAFKA_BOOTSTRAP=kafka_bootstrap,
            db_schema=db_schema, group_id=unique_name("campaigns"),
            topic_overrides=topics,
            compliance_url=compliance_url, eligibility_ttl_seconds=0, dispatch_interval=0.2,
            progress_interval=0.2,
        )  # fmt: skip
        async with (
            serving(create_app(settings, clock=clock), name="campaign-engine") as url,
            httpx.AsyncClient(headers=AUTH, base_url=url, timeout=60) as api,
        ):
            await eventually(lambda: answers_ready(api))
            broker = make_broker(kafka_bootstrap, client_id="campaigns-results-test")
            await broker.start()
            try:
                yield Rig(api, engine, broker, topics, clock, ineligible)
            finally:
                await broker.stop()
