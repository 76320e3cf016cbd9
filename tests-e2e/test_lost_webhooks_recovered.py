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
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from smsbus.contracts import Envelope, Message
from smsbus.ingest.testing import compact, signed
from smsbus.openphone.signing import SigningKey
from smsbus.openphone_sim.events import SimEvent
from smsbus.openphone_sim.payloads import GENERATIONS
from smsbus.openphone_sim.testing import RunningSimulator
from smsbus.runtime.offsets import group_lag
from smsbus.runtime.testing import StepClock, eventually

from .lost_stops_stack import Pipeline as Stack
from .lost_stops_stack import lost_stops_stack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ALICE, BOB = "+14155550161", "+14155550162"
MESSAGES = "openphone.messages.v1"
GRACE = 60.0
"""The reconciler's grace period; its clock is stepped past it instead of waiting."""


@dataclass
class Recovery:
    """The lost-stops stack (lost_stops_stack.py) with the reconciler on a clock of the test's
    own, and what this story does with it."""

    stack: Stack
    clock: StepClock

    @property
    def messages_topic(self) -> str:
        return self.stack.topics[MESSAGES]

    async def text(self, sender: str, text: str) -> str:
        """`sender` texts our first line; answers OpenPhone's message id."""
        return str((await self.stack.text(sender, text))["id"])

    async def events(self) -> list[Envelope[Any]]:
        """Every event on the messages topic right now."""
        return await self.stack.events(MESSAGES)

    async def compliance_caught_up(self) -> bool:
        """Compliance's group has committed every record on the messages topic."""
        group = self.stack.groups["compliance"]
        lag = await group_lag(self.stack.bootstrap, group, [self.messages_topic])
        return sum(lag.values()) == 0

    async def consent(self, phone: str) -> dict[str, Any]:
        response = await self.stack.compliance.get(f"/v1/consent/{phone}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def run(self) -> dict[str, Any]:
        """`POST /runs` once the facts so far are older than the grace period."""
        self.clock.advance(2 * GRACE)
        response = await self.stack.reconciler.post("/runs", params={"wait": "true"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def deliver_late(self, event_id: str, message: Message) -> httpx.Response:
        """The v4 webhook the simulator dropped for `message`, as it would have sent it."""
        event = SimEvent(event_id, "message.received", message.created_at, message)
        body = compact(GENERATIONS["v4"].render(event))
        headers = signed(body, SigningKey.parse(self.stack.sim.signing_key), now=time.time())
        async with httpx.AsyncClient(trust_env=False) as client:
            return await client.post(
                f"{self.stack.ingest_url}/webhooks/openphone", content=body, headers=headers
            )


@pytest.fixture
async def pipeline(database_url: str, kafka_bootstrap: str) -> AsyncIterator[Recovery]:
    """The stack with the simulator fast, compliance's egress polling often and the reconciler
    run only on demand (`Recovery.run`), past its grace period by the test's clock."""
    clock = StepClock()
    reconciler = {
        "schedule": False,
        "lookback_seconds": 3600.0,
        "overlap_seconds": 600.0,
        "grace_seconds": GRACE,
        "catchup_timeout_seconds": 20.0,
    }
    async with lost_stops_stack(
        database_url=database_url,
        bootstrap=kafka_bootstrap,
        simulator={"speed": 1000},
        compliance={"egress_poll_interval": 0.2},
        reconciler=reconciler,
        reconciler_clock=clock,
    ) as stack:
        yield Recovery(stack, clock)


async def test_a_stop_whose_webhook_was_lost_still_opts_the_person_out(
    pipeline: Recovery,
) -> None:
    sim = pipeline.stack.sim

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
        export = (await pipeline.stack.compliance.get(f"/v1/consent/{customer}/export")).json()
        assert export["status"] == "opted_out"
        assert [e["evidence"]["message_id"] for e in export["history"]] == [stop]
        assert [r["purpose"] for r in export["replies"]] == ["opt_out_confirmation"]


async def _opted_out(pipeline: Recovery, phone: str) -> dict[str, Any] | None:
    body = await pipeline.consent(phone)
    return body if body["status"] == "opted_out" else None


async def _confirmation_delivered(sim: RunningSimulator, phone: str) -> bool:
    outgoing = await sim.messages(direction="outgoing", to=phone)
    return [m["status"] for m in outgoing] == ["delivered"]


async def _webhook_copies(pipeline: Recovery, stop_ids: set[str]) -> list[Envelope[Any]]:
    """The webhook-borne copies of the STOPs on the topic, once both are there."""
    copies = [
        e
        for e in await pipeline.events()
        if e.source == "openphone.webhook" and e.data.id in stop_ids
    ]
    return copies if len(copies) == len(stop_ids) else []
