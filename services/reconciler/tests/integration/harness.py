"""The stack for the reconciler's integration tests, all in this event loop on loopback: the
OpenPhone simulator signs webhooks to the real ingest app, which publishes to this test's
topics; the reconciler consumes them, reads the simulator's REST API and emits what is missing.
Every test has its own topics, consumer group and schema."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import ROUTES, Envelope, decode_event, dlq_topic
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import read_topics, running_ingest
from smsbus.openphone import OpenPhoneClient
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.reconciler.app import create_app
from smsbus.reconciler.fastpass import FastConfig, FastPass
from smsbus.reconciler.settings import Settings
from smsbus.runtime.db import make_sessions
from smsbus.runtime.testing import StackInfra, StepClock, eventually, unique_name
from smsbus.runtime.testing_api import AUTH, answers_ready

INGEST_TOPICS = sorted({route.topic for route in ROUTES if "ingest-webhooks" in route.producers})
MESSAGES, CALLS = "openphone.messages.v1", "openphone.calls.v1"
GRACE = 30.0
FAST_GRACE = 1.0
OVERLAP = 600.0


@dataclass
class Stack:
    sim: RunningSimulator
    api: httpx.AsyncClient
    openphone: OpenPhoneClient
    clock: StepClock
    """The reconciler's: moved ahead so that facts age past the grace period without waiting."""
    engine: AsyncEngine
    bootstrap: str
    consumed: dict[str, str]
    """Registry topic → the topic the reconciler consumes and writes."""
    published: dict[str, str]
    """Registry topic → the topic ingest writes (the same ones unless a test separates them)."""
    group: str
    """The reconciler's consumer group."""

    @property
    def line(self) -> str:
        return self.sim.lines[0]

    async def webhooks(self, *, on: bool) -> None:
        """Off: OpenPhone drops every webhook (the facts stay visible through REST)."""
        await self.sim.faults(drop_rate=0.0 if on else 1.0)

    async def send(self, to: str, text: str = "Your quote is ready") -> str:
        return (await self.openphone.send_message(from_=self.line, to=to, content=text)).id

    async def inbound(self, sender: str, text: str = "hello") -> str:
        answer = await self.sim.inbound_message(sender=sender, to=self.line, text=text)
        return str(answer["data"]["id"])

    async def call(self, sender: str, outcome: str = "answered", **extra: Any) -> str:
        answer = await self.sim.inbound_call(sender=sender, to=self.line, outcome=outcome, **extra)
        return str(answer["data"]["call"]["id"])

    def fast_pass(self, **config: Any) -> FastPass:
        """A fast pass on this stack's schema, topics, group and OpenPhone client, on the wall
        clock (its watermark is compared with OpenPhone's times: a stepped clock would run
        ahead of the simulator's)."""
        fields: dict[str, Any] = {
            "bootstrap": self.bootstrap, "group_id": self.group, "topics": self.consumed,
            "grace": timedelta(seconds=FAST_GRACE), "catchup_timeout": 20.0,
        }  # fmt: skip
        return FastPass(
            engine=self.engine,
            sessions=make_sessions(self.engine),
            client=self.openphone,
            clock=lambda: datetime.now(UTC),
            config=FastConfig(**(fields | config)),
        )

    async def run(self, expect: int = 200) -> dict[str, Any]:
        response = await self.api.post("/runs", params={"wait": "true"})
        assert response.status_code == expect, response.text
        body: dict[str, Any] = response.json()
        return body

    async def drained(self) -> None:
        """Waits until the outbox relay published every synthetic event."""

        async def empty() -> bool:
            async with self.engine.connect() as conn:
                query = text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                return (await conn.execute(query)).scalar_one() == 0

        await eventually(empty)

    async def events(
        self, topics: dict[str, str] | None = None
    ) -> list[tuple[bytes, Envelope[Any]]]:
        """(record key, envelope) of every record on the topics, after the outbox drained."""
        await self.drained()
        names = list((topics or self.consumed).values())
        found = await read_topics(self.bootstrap, names)
        return [(r.key, decode_event(r.value)) for name in names for r in found[name]]

    async def synthetic(self) -> list[Envelope[Any]]:
        return [e for _, e in await self.events() if e.source == "reconciler"]


@asynccontextmanager
async def running_stack(
    infra: StackInfra,
    *,
    schema: str,
    engine: AsyncEngine,
    separate_ingest_topics: bool = False,
    openphone: Callable[[RunningSimulator], OpenPhoneClient] | None = None,
    **overrides: Any,
) -> AsyncIterator[Stack]:
    async def topics() -> dict[str, str]:
        created = await infra.registry_topics(partitions=3)
        return {name: created[name] for name in INGEST_TOPICS}

    consumed = await topics()
    published = await topics() if separate_ingest_topics else consumed
    group = unique_name("reconciler")
    for name in (MESSAGES, CALLS):
        await infra.new_topic(name=dlq_topic(consumed[name], group))
    clock = StepClock()
    async with running_simulator(speed=1000, demo_history=False) as sim:
        ingest_settings = IngestSettings(
            signing_keys=sim.signing_key, kafka_bootstrap=infra.bootstrap, topic_overrides=published
        )
        settings = Settings(
            SMSBUS_DATABASE_URL=infra.database_url,
            SMSBUS_KAFKA_BOOTSTRAP=infra.bootstrap,
            SMSBUS_OPENPHONE_BASE_URL=sim.base_url,
            SMSBUS_OPENPHONE_API_KEY=sim.api_key,
            **(
                {
                    "db_schema": schema,
                    "group_id": group,
                    "topic_overrides": consumed,
                    "schedule": False,
                    "lookback_seconds": 3600.0,
                    "overlap_seconds": OVERLAP,
                    "grace_seconds": GRACE,
                    "catchup_timeout_seconds": 20.0,
                }
                | overrides
            ),
        )
        client = (
            openphone(sim)
            if openphone
            else OpenPhoneClient(api_key=sim.api_key, base_url=sim.base_url)
        )
        async with (
            running_ingest(ingest_settings) as ingest_url,
            serving(create_app(settings, clock=clock, openphone=client), name="reconciler") as url,
            httpx.AsyncClient(headers=AUTH, base_url=url, timeout=60) as api,
            client,
        ):
            await sim.add_webhook(
                f"{ingest_url}/webhooks/openphone", generation="v4", key=sim.signing_key
            )
            await eventually(lambda: answers_ready(api))
            yield Stack(
                sim, api, client, clock, engine, infra.bootstrap, consumed, published, group
            )


StartStack = Callable[..., AbstractAsyncContextManager[Stack]]
"""The `start_stack` fixture (conftest.py): running_stack on the test's schema and topics."""
