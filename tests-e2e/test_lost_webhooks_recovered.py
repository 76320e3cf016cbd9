"""A STOP whose webhook OpenPhone never delivered still opts the person out.

The OpenPhone simulator signs v4 webhooks to the real ingest app, which publishes to this
test's own Kafka topics; compliance and the reconciler both consume the messages topic, each
with its own consumer group and PostgreSQL schema. All of it runs in this event loop on
loopback. The story:

1. A customer's "Hello" arrives by webhook and compliance reads it.
2. OpenPhone drops every webhook: that customer's "STOP" and a second customer's "STOP" never
   reach ingest. Compliance has read everything there is and has opted nobody out: the gap.
3. The webhooks come back (what was dropped stays lost), the reconciler's clock passes its
   grace period and `POST /runs` finds exactly the two lost STOPs in OpenPhone's history and
   emits them; compliance opts both customers out, with the STOP's message id as evidence.
4. A second run emits nothing. The dropped webhooks then arrive after all (the simulator never
   re-sends a dropped delivery, so the test posts the very body it would have sent, rendered
   and signed as the simulator does): compliance records no second opt-out.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import smsbus.compliance
import smsbus.reconciler
from smsbus.compliance.app import create_app as compliance_app
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.contracts import ROUTES, Envelope, Message, decode_event, dlq_topic
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import compact, read_topics, running_ingest, signed
from smsbus.openphone.signing import SigningKey
from smsbus.openphone_sim.events import SimEvent
from smsbus.openphone_sim.payloads import GENERATIONS
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.reconciler.app import create_app as reconciler_app
from smsbus.reconciler.settings import Settings as ReconcilerSettings
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.offsets import group_lag
from smsbus.runtime.testing import AUTH, NewTopic, eventually, unique_name

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ALICE, BOB = "+14155550161", "+14155550162"
MESSAGES, CALLS = "openphone.messages.v1", "openphone.calls.v1"
INGEST_TOPICS = sorted({route.topic for route in ROUTES if "ingest-webhooks" in route.producers})
GRACE = 60.0
"""The reconciler's grace period; its clock is stepped past it instead of waiting."""


class StepClock:
    """The reconciler's clock: the wall clock (the simulator's runs on it too) plus `advance`."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Pipeline:
    sim: RunningSimulator
    ingest_url: str
    bootstrap: str
    topics: dict[str, str]
    """Registry topic → this test's topic."""
    compliance: httpx.AsyncClient
    compliance_group: str
    reconciler: httpx.AsyncClient
    clock: StepClock

    @property
    def messages_topic(self) -> str:
        return self.topics[MESSAGES]

    async def text(self, sender: str, text: str) -> str:
        """`sender` texts our first line; answers OpenPhone's message id."""
        answer = await self.sim.inbound_message(sender=sender, to=self.sim.lines[0], text=text)
        return str(answer["data"]["id"])

    async def events(self) -> list[Envelope[Any]]:
        """Every event on the messages topic right now."""
        records = (await read_topics(self.bootstrap, [self.messages_topic]))[self.messages_topic]
        return [decode_event(record.value) for record in records]

    async def compliance_caught_up(self) -> bool:
        """Compliance's group has committed every record on the messages topic."""
        lag = await group_lag(self.bootstrap, self.compliance_group, [self.messages_topic])
        return sum(lag.values()) == 0

    async def consent(self, phone: str) -> dict[str, Any]:
        response = await self.compliance.get(f"/v1/consent/{phone}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def run(self) -> dict[str, Any]:
        """`POST /runs` once the facts so far are older than the grace period."""
        self.clock.advance(2 * GRACE)
        response = await self.reconciler.post("/runs")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def deliver_late(self, event_id: str, message: Message) -> httpx.Response:
        """The v4 webhook the simulator dropped for `message`, as it would have sent it."""
        event = SimEvent(event_id, "message.received", message.created_at, message)
        body = compact(GENERATIONS["v4"].render(event))
        headers = signed(body, SigningKey.parse(self.sim.signing_key), now=time.time())
        async with httpx.AsyncClient(trust_env=False) as client:
            return await client.post(
                f"{self.ingest_url}/webhooks/openphone", content=body, headers=headers
            )


async def _ready(api: httpx.AsyncClient) -> bool:
    return (await api.get("/readyz")).status_code == 200


@pytest.fixture
async def compliance_schema(database_url: str, db_schema: str) -> str:
    migrations = Path(smsbus.compliance.__file__).parent / "migrations"
    await upgrade(database_url, schema=db_schema, script_location=migrations)
    return db_schema


@pytest.fixture
async def reconciler_schema(database_url: str) -> AsyncIterator[str]:
    """A second schema of this test's own (db_schema is compliance's), dropped afterwards."""
    schema = unique_name("test")
    migrations = Path(smsbus.reconciler.__file__).parent / "migrations"
    engine = make_engine(database_url, schema=schema)
    try:
        await upgrade(database_url, schema=schema, script_location=migrations)
        yield schema
    finally:
        await drop_schema(engine, schema)
        await engine.dispose()


@pytest.fixture
async def pipeline(
    database_url: str,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    compliance_schema: str,
    reconciler_schema: str,
) -> AsyncIterator[Pipeline]:
    topics = {
        name: await new_topic(name.removesuffix(".v1").replace(".", "-"), partitions=3)
        for name in INGEST_TOPICS
    }
    consent_topic = await new_topic("compliance-consent", partitions=3)
    requests_topic = await new_topic("outbound-requests", partitions=3)
    results_topic = await new_topic("outbound-results", partitions=3)
    compliance_group, reconciler_group = unique_name("compliance"), unique_name("reconciler")
    await new_topic(name=dlq_topic(topics[MESSAGES], compliance_group))
    for name in (MESSAGES, CALLS):
        await new_topic(name=dlq_topic(topics[name], reconciler_group))
    clock = StepClock()
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(running_simulator(speed=1000, demo_history=False))
        shared = {
            "SMSBUS_DATABASE_URL": database_url,
            "SMSBUS_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "SMSBUS_OPENPHONE_BASE_URL": sim.base_url,
            "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
        }
        ingest_url = await stack.enter_async_context(
            running_ingest(
                IngestSettings(
                    signing_keys=sim.signing_key,
                    kafka_bootstrap=kafka_bootstrap,
                    topic_overrides=topics,
                )
            )
        )
        compliance = ComplianceSettings(
            **shared,
            db_schema=compliance_schema,
            group_id=compliance_group,
            messages_topic=topics[MESSAGES],
            consent_topic=consent_topic,
            requests_topic=requests_topic,
            results_topic=results_topic,
            brand_name="Acme Fences",
            egress_poll_interval=0.2,
        )
        reconciler = ReconcilerSettings(
            **shared,
            db_schema=reconciler_schema,
            group_id=reconciler_group,
            messages_topic=topics[MESSAGES],
            calls_topic=topics[CALLS],
            schedule=False,
            lookback_seconds=3600.0,
            overlap_seconds=600.0,
            grace_seconds=GRACE,
            catchup_timeout_seconds=20.0,
        )
        apis = []
        for name, app in (
            ("compliance", compliance_app(compliance)),
            ("reconciler", reconciler_app(reconciler, clock=clock)),
        ):
            url = await stack.enter_async_context(serving(app, name=name))
            api = await stack.enter_async_context(
                httpx.AsyncClient(headers=AUTH, base_url=url, timeout=60)
            )
            await eventually(lambda api=api: _ready(api), within=30)
            apis.append(api)
        await sim.add_webhook(
            f"{ingest_url}/webhooks/openphone", generation="v4", key=sim.signing_key
        )
        yield Pipeline(
            sim, ingest_url, kafka_bootstrap, topics, apis[0], compliance_group, apis[1], clock
        )


async def test_a_stop_whose_webhook_was_lost_still_opts_the_person_out(
    pipeline: Pipeline,
) -> None:
    sim = pipeline.sim

    # 1. Webhooks flow: Alice's "Hello" reaches the topic and compliance reads it.
    hello = await pipeline.text(ALICE, "Hello")
    await sim.settle()
    assert [e.dedupe_key for e in await pipeline.events()] == [f"message.received:{hello}"]
    await eventually(pipeline.compliance_caught_up)

    # 2. OpenPhone drops every webhook: both STOPs exist only in its REST history.
    await sim.faults(drop_rate=1.0)
    stops = {ALICE: await pipeline.text(ALICE, "STOP"), BOB: await pipeline.text(BOB, "STOP")}
    await sim.settle()
    dropped = [d for d in await sim.deliveries() if d["outcome"] == "dropped"]
    assert [d["type"] for d in dropped] == ["message.received"] * 2
    assert [e.dedupe_key for e in await pipeline.events()] == [f"message.received:{hello}"]
    await eventually(pipeline.compliance_caught_up)
    for customer in (ALICE, BOB):
        body = await pipeline.consent(customer)
        assert (body["status"], body["suppressed"], body["history"]) == ("unknown", False, [])

    # 3. The webhooks come back (the dropped ones stay lost); the reconciler closes the gap.
    await sim.faults()
    run = await pipeline.run()
    assert (run["status"], run["missing"], run["emitted"]) == (
        "succeeded",
        {"message.received": 2},
        2,
    ), run
    for customer, stop in stops.items():
        body = await eventually(lambda c=customer: _opted_out(pipeline, c))
        [entry] = body["history"]
        assert (entry["action"], entry["source"]) == ("revoked", "sms")
        assert (entry["evidence"]["message_id"], entry["evidence"]["text"]) == (stop, "STOP")
    synthetic = [e for e in await pipeline.events() if e.source == "reconciler"]
    assert sorted(e.dedupe_key for e in synthetic) == sorted(
        f"message.received:{stop}" for stop in stops.values()
    )
    assert {e.correlation_id for e in synthetic} == {run["id"]}

    # 4a. Once compliance's confirmations are delivered (their webhooks flow again), a second
    # run finds nothing missing.
    for customer in stops:
        await eventually(lambda c=customer: _confirmation_delivered(sim, c))
    await sim.settle()
    second = await pipeline.run()
    assert (second["status"], second["missing"], second["emitted"]) == ("succeeded", {}, 0)

    # 4b. The dropped webhooks arrive after all: same facts, same dedupe keys, no second opt-out.
    messages = {m["id"]: Message.model_validate(m) for m in await sim.messages()}
    for delivery, stop in zip(dropped, stops.values(), strict=True):
        late = await pipeline.deliver_late(delivery["eventId"], messages[stop])
        assert late.status_code == 202, late.text
        assert late.json()["dedupe_key"] == f"message.received:{stop}"
    copies = await eventually(lambda: _webhook_copies(pipeline, set(stops.values())))
    assert sorted(e.event_id for e in copies) == sorted(d["eventId"] for d in dropped)
    await eventually(pipeline.compliance_caught_up)
    for customer, stop in stops.items():
        export = (await pipeline.compliance.get(f"/v1/consent/{customer}/export")).json()
        assert export["status"] == "opted_out"
        assert [e["evidence"]["message_id"] for e in export["history"]] == [stop]
        assert [r["purpose"] for r in export["replies"]] == ["opt_out_confirmation"]


async def _opted_out(pipeline: Pipeline, phone: str) -> dict[str, Any] | None:
    body = await pipeline.consent(phone)
    return body if body["status"] == "opted_out" else None


async def _confirmation_delivered(sim: RunningSimulator, phone: str) -> bool:
    outgoing = await sim.messages(direction="outgoing", to=phone)
    return [m["status"] for m in outgoing] == ["delivered"]


async def _webhook_copies(pipeline: Pipeline, stop_ids: set[str]) -> list[Envelope[Any]]:
    """The webhook-borne copies of the STOPs on the topic, once both are there."""
    copies = [
        e
        for e in await pipeline.events()
        if e.source == "openphone.webhook" and e.data.id in stop_ids
    ]
    return copies if len(copies) == len(stop_ids) else []
