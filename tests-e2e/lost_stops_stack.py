"""People text and some say STOP while OpenPhone drops a share of the webhooks: the stack and
the scenario behind tests-e2e/test_lost_stops_within_five_minutes.py (test-sized) and
bench/reconciler/lost_stops.py (the issue's full size).

The OpenPhone simulator (real pace, OpenPhone's 10 requests/s per key) signs v4 webhooks to the
real ingest app, which publishes to topics of this scenario's own; compliance (its opt-out
handling and the egress that sends each confirmation) and the reconciler consume them, each with
its own consumer group and PostgreSQL schema, and share the key's budget through PostgreSQL as
in production. All of it runs in this event loop on loopback. The reconciler runs exactly as
shipped: both schedules on, every timing at its default; nobody asks it for a run. Latency is
measured with the simulator's clock: from a STOP's createdAt to its confirmation's createdAt.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

import smsbus.compliance
import smsbus.reconciler
from smsbus.compliance.app import create_app as compliance_app
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.contracts import Envelope, decode_event, dlq_topic
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import read_topics, running_ingest
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.reconciler.app import create_app as reconciler_app
from smsbus.reconciler.settings import Settings as ReconcilerSettings
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.testing import eventually, isolated_topics, unique_name
from smsbus.runtime.testing_api import AUTH, answers_ready
from smsbus.runtime.testing_migrations import migrated_schemas

MESSAGES = "openphone.messages.v1"
CONSENT = "compliance.consent.v1"
AGENTS = {"deep": "smsbus-reconciler/0.1", "fast": "smsbus-reconciler-fast/0.1"}
DEADLINE = 300.0
"""An opt-out confirmation is presumed timely within 5 minutes of the STOP."""


@dataclass(frozen=True)
class Scenario:
    people: int
    stops: int
    spread: float
    """Seconds over which the people text (each once, at a moment drawn from the seed), then
    the STOPs come, spread alike."""
    drop_rate: float = 0.3
    seed: int = 17


@dataclass
class Outcome:
    latency: dict[str, float]
    """Person → seconds (simulator's clock) from their STOP to their confirmation."""
    stops: dict[str, str]
    """Person → their STOP's message id."""
    opted_out: set[str]
    confirmations: Counter[str]
    recovered: set[str]
    """STOPs that reached the messages topic only as the reconciler's synthetic event."""
    requests: dict[str, dict[str, int]]
    """OpenPhone requests of each pass (deep, fast), per endpoint (counted at the simulator)."""
    deep_runs: list[dict[str, Any]]
    """The deep pass's runs (`GET /runs`), oldest first."""
    elapsed: float
    waited: float
    """Seconds from the last STOP until every STOP was confirmed."""
    missing: list[str] = field(default_factory=list)
    """People whose STOP was not confirmed in time."""


@dataclass
class Pipeline:
    sim: RunningSimulator
    bootstrap: str
    topics: dict[str, str]
    """Registry topic → this stack's topic."""
    compliance: httpx.AsyncClient
    reconciler: httpx.AsyncClient
    ingest_url: str
    groups: dict[str, str]
    """Service → its consumer group."""

    async def text(self, sender: str, text: str) -> dict[str, Any]:
        answer = await self.sim.inbound_message(sender=sender, to=self.sim.lines[0], text=text)
        data: dict[str, Any] = answer["data"]
        return data

    async def events(self, registry_topic: str) -> list[Envelope[Any]]:
        topic = self.topics[registry_topic]
        return [decode_event(r.value) for r in (await read_topics(self.bootstrap, [topic]))[topic]]

    async def opted_out(self) -> set[str]:
        """Who compliance opted out (read from its consent topic, not its authenticated API)."""
        return {e.data.phone for e in await self.events(CONSENT) if e.type == "consent.revoked"}

    async def sources(self) -> dict[str, set[str]]:
        """Message id → the sources of its message.received events on the topic."""
        found: dict[str, set[str]] = {}
        for event in await self.events(MESSAGES):
            if event.type == "message.received":
                found.setdefault(event.data.id, set()).add(event.source)
        return found


def people(count: int) -> list[str]:
    return [f"+1415{2000000 + n:07d}" for n in range(count)]


async def play(pipeline: Pipeline, scenario: Scenario) -> Outcome:
    """The scenario, then a wait until every STOP is confirmed (or its deadline is past)."""
    sim, chance = pipeline.sim, random.Random(scenario.seed)
    everyone = people(scenario.people)
    stoppers = chance.sample(everyone, scenario.stops)
    plan = sorted(
        [
            (chance.uniform(0, scenario.spread), phone, "Hi, is my quote ready?")
            for phone in everyone
        ]
        + [
            (scenario.spread + chance.uniform(0, scenario.spread), phone, "STOP")
            for phone in stoppers
        ]
    )
    began = time.monotonic()
    await sim.faults(drop_rate=scenario.drop_rate, seed=scenario.seed)
    stops: dict[str, str] = {}
    for at, phone, text in plan:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - began)))
        sent = await pipeline.text(phone, text)
        if text == "STOP":
            stops[phone] = sent["id"]
    last_stop = time.monotonic()
    deadline = last_stop + DEADLINE + 30
    while time.monotonic() < deadline:
        if len(await _confirmed(sim)) >= len(stops):
            break
        await asyncio.sleep(2)
    waited = time.monotonic() - last_stop
    await asyncio.sleep(5)  # a second confirmation, were one coming, would be out by now
    return await _outcome(pipeline, stops, elapsed=time.monotonic() - began, waited=waited)


async def _confirmed(sim: RunningSimulator) -> dict[str, list[dict[str, Any]]]:
    """Texts OpenPhone holds per person: nothing but the egress's opt-out confirmations texts
    anyone in this scenario (whatever their wording)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for message in await sim.messages(direction="outgoing"):
        found.setdefault(message["to"][0], []).append(message)
    return found


async def _outcome(
    pipeline: Pipeline, stops: dict[str, str], *, elapsed: float, waited: float
) -> Outcome:
    messages = {m["id"]: m for m in await pipeline.sim.messages(direction="incoming")}
    confirmed = await _confirmed(pipeline.sim)
    latency = {
        phone: (
            _at(confirmed[phone][0]["createdAt"]) - _at(messages[stop]["createdAt"])
        ).total_seconds()
        for phone, stop in stops.items()
        if phone in confirmed
    }
    sources = await pipeline.sources()
    return Outcome(
        latency=latency,
        stops=stops,
        opted_out=await pipeline.opted_out() & set(stops),
        confirmations=Counter({phone: len(found) for phone, found in confirmed.items()}),
        recovered={stop for stop in stops.values() if sources.get(stop) == {"reconciler"}},
        requests={
            name: await pipeline.sim.request_counts(agent=agent) for name, agent in AGENTS.items()
        },
        deep_runs=(await pipeline.reconciler.get("/runs")).json()["data"][::-1],
        elapsed=elapsed,
        waited=waited,
        missing=sorted(phone for phone in stops if latency.get(phone, DEADLINE + 1) > DEADLINE),
    )


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@asynccontextmanager
async def lost_stops_stack(
    *,
    database_url: str,
    bootstrap: str,
    simulator: dict[str, Any] | None = None,
    compliance: dict[str, Any] | None = None,
    reconciler: dict[str, Any] | None = None,
    reconciler_clock: Callable[[], datetime] | None = None,
) -> AsyncIterator[Pipeline]:
    """Topics, schemas, the simulator, ingest, compliance and the reconciler of its own; all
    of it removed afterwards. By default the reconciler runs as shipped (its schedules and
    timings the defaults) and the simulator at real pace; `simulator`, `compliance` and
    `reconciler` override their settings, `reconciler_clock` the reconciler's clock."""
    topics = isolated_topics(unique_name("lost-stops"))
    groups = {"compliance": unique_name("compliance"), "reconciler": unique_name("reconciler")}
    dlqs = [dlq_topic(topics[MESSAGES], group) for group in groups.values()]
    dlqs.append(dlq_topic(topics["openphone.calls.v1"], groups["reconciler"]))
    dlqs.append(dlq_topic(topics["outbound.requests.v1"], groups["compliance"]))
    await ensure_topics(bootstrap, [*topics.values(), *dlqs], partitions=3)
    schemas = await migrated_schemas(
        database_url, {"compliance": smsbus.compliance, "reconciler": smsbus.reconciler}
    )
    try:
        async with AsyncExitStack() as stack:
            sim = await stack.enter_async_context(
                running_simulator(**{"demo_history": False, **(simulator or {})})
            )
            shared: dict[str, Any] = {
                "SMSBUS_DATABASE_URL": database_url,
                "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
                "SMSBUS_OPENPHONE_BASE_URL": sim.base_url,
                "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
                "topic_overrides": topics,
            }
            ingest_url = await stack.enter_async_context(
                running_ingest(
                    IngestSettings(
                        signing_keys=sim.signing_key,
                        kafka_bootstrap=bootstrap,
                        topic_overrides=topics,
                    )
                )
            )
            compliance_settings = ComplianceSettings(
                **shared,
                db_schema=schemas["compliance"],
                group_id=groups["compliance"],
                brand_name="Acme Fences",
                **(compliance or {}),
            )
            reconciler_settings = ReconcilerSettings(
                **shared,
                db_schema=schemas["reconciler"],
                group_id=groups["reconciler"],
                **(reconciler or {}),
            )
            clock = {"clock": reconciler_clock} if reconciler_clock else {}
            apis = []
            for name, app in (
                ("compliance", compliance_app(compliance_settings)),
                ("reconciler", reconciler_app(reconciler_settings, **clock)),
            ):
                url = await stack.enter_async_context(serving(app, name=name))
                api = await stack.enter_async_context(
                    httpx.AsyncClient(headers=AUTH, base_url=url, timeout=60)
                )
                await eventually(lambda api=api: answers_ready(api), within=60, every=0.3)
                apis.append(api)
            await sim.add_webhook(
                f"{ingest_url}/webhooks/openphone", generation="v4", key=sim.signing_key
            )
            yield Pipeline(sim, bootstrap, topics, apis[0], apis[1], ingest_url, groups)
    finally:
        for schema in schemas.values():
            engine = make_engine(database_url, schema=schema)
            await drop_schema(engine, schema)
            await engine.dispose()
        await delete_topics(bootstrap, [*topics.values(), *dlqs])
