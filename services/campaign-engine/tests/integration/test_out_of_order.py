"""Provider news out of order, through the real consumer path: Kafka topic → subscriber →
handler (parking) → the dispatcher's recovery records the send (replaying what was parked).

The members start where a kill -9 leaves them: intent committed, OpenPhone (the simulator) has
the message, no result recorded. Their delivered/undelivered webhooks arrive first and are
parked; the send is recorded afterwards and the parked status applied. Late and regressive news
(failed after delivered, delivered after undelivered, failed after a reply) changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns.app import create_app
from smsbus.campaigns.settings import Settings
from smsbus.contracts import Message, make_envelope
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.kafka import make_broker, publish_event
from smsbus.runtime.testing import NewTopic, unique_name
from smsbus.runtime.testing import eventually as shared_eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

A, B, C = "+12125550143", "+13125550144", "+16175550145"


# Campaign sends take a few simulated seconds each: a longer, slower poll.
eventually = partial(shared_eventually, within=60.0, every=0.2)


class World:
    def __init__(self, db: AsyncEngine, sim: RunningSimulator, topic: str, bootstrap: str) -> None:
        self.db, self.sim, self.topic = db, sim, topic
        self.broker = make_broker(bootstrap, client_id="out-of-order-test")
        self.seq = 0

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.db.connect() as conn:
            return list((await conn.execute(text(sql), params)).all())

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.db.begin() as conn:
            await conn.execute(text(sql), params)

    async def member(self, phone: str) -> Any:
        return (await self.rows("SELECT * FROM members WHERE phone = :p", p=phone))[0]

    async def publish(self, event_type: str, message: Message, at: datetime) -> None:
        self.seq += 1
        envelope = make_envelope(
            message,
            event_type=event_type,
            event_id=f"EV{self.seq}",
            object_id=message.id,
            source="openphone.webhook",
            occurred_at=at,
            recorded_at=at,
        )
        await publish_event(self.broker, envelope, topic=self.topic)

    async def processed(self) -> int:
        return int((await self.rows("SELECT count(*) FROM processed_events"))[0][0])


@pytest.fixture
async def world(
    engine: AsyncEngine,
    db_schema: str,
    database_url: str,
    kafka_bootstrap: str,
    new_topic: NewTopic,
) -> AsyncIterator[tuple[World, httpx.AsyncClient]]:
    topics = {name: await new_topic(name) for name in ("messages", "contacts", "consent", "events")}
    async with running_simulator(demo_history=False, rate_limit_per_second=0) as sim:
        settings = Settings(
            SMSBUS_DATABASE_URL=database_url, SMSBUS_KAFKA_BOOTSTRAP=kafka_bootstrap,
            SMSBUS_OPENPHONE_BASE_URL=sim.base_url, SMSBUS_OPENPHONE_API_KEY=sim.api_key,
            db_schema=db_schema, group_id=unique_name("campaigns"),
            messages_topic=topics["messages"], contacts_topic=topics["contacts"],
            consent_topic=topics["consent"], events_topic=topics["events"],
            # Never asked: nobody here is claimed for a decision (the campaign is a draft).
            compliance_url="http://127.0.0.1:9", dispatch_interval=0.2, lease_seconds=1.0,
            openphone_rate=100.0,
        )  # fmt: skip
        app = create_app(settings)
        async with (
            serving(app, name="campaign-engine") as url,
            httpx.AsyncClient(base_url=url, timeout=60) as api,
        ):
            await eventually(lambda: _ready(api))
            running = World(engine, sim, topics["messages"], kafka_bootstrap)
            await running.broker.start()
            try:
                yield running, api
            finally:
                await running.broker.stop()


async def _ready(api: httpx.AsyncClient) -> bool:
    return (await api.get("/readyz")).status_code == 200


async def sent_before_recorded(world: World, api: httpx.AsyncClient) -> dict[str, Message]:
    """Members A, B, C with intents committed and their messages at OpenPhone, unrecorded."""
    body = "first_name,phone\n" + "".join(f"P{i},{p}\n" for i, p in enumerate((A, B, C)))
    files = {"file": ("a.csv", io.BytesIO(body.encode()), "text/csv")}
    contacts = (await api.post("/v1/contacts", files=files)).json()
    line = world.sim.lines[0]
    variants = [{"name": "A", "template": "Hi {first_name}"}]
    created = (await api.post("/v1/campaigns", json={"name": "x", "line": line, "variants": variants})).json()  # fmt: skip
    await api.post(
        f"/v1/campaigns/{created['id']}/members", json={"contact_ids": contacts["contact_ids"]}
    )
    messages = {}
    async with world.sim.client(timeout=30) as openphone:
        for i, phone in enumerate((A, B, C)):
            answer = await openphone.post(
                "/v1/messages", json={"content": f"Hi P{i}", "from": line, "to": [phone]}
            )
            message = Message.model_validate(answer.json()["data"])
            messages[phone] = message
            await world.execute(
                "UPDATE members SET status = 'sending', text = :t, segments = 1, "
                "encoding = 'GSM-7', intent_at = :at, lease_until = now() + interval '1 hour' "
                "WHERE phone = :p",
                t=f"Hi P{i}", at=message.created_at - timedelta(seconds=1), p=phone,
            )  # fmt: skip
    return messages


def provider(message: Message, status: str, at: datetime) -> Message:
    return message.model_copy(update={"status": status, "updated_at": at})


async def test_statuses_before_the_send_is_recorded_then_late_regressions(
    world: tuple[World, httpx.AsyncClient],
) -> None:
    w, api = world
    messages = await sent_before_recorded(w, api)
    t0 = messages[A].created_at

    # 1. Delivered (A, B) and undelivered (C) arrive before any send is recorded: parked.
    await w.publish(
        "message.delivered", provider(messages[A], "delivered", t0 + timedelta(seconds=5)), t0
    )
    await w.publish(
        "message.delivered", provider(messages[B], "delivered", t0 + timedelta(seconds=6)), t0
    )
    await w.publish("message.undelivered", provider(messages[C], "undelivered", t0 + timedelta(seconds=7)), t0)  # fmt: skip
    await eventually(lambda: _count(w, "SELECT count(*) FROM parked_statuses", 3))
    assert {tuple(r) for r in await w.rows("SELECT phone, status, message_id FROM members")} == {
        (A, "sending", None), (B, "sending", None), (C, "sending", None),
    }  # fmt: skip

    # 2. The sends are recorded after their statuses (the recorder's lease runs out; recovery
    #    finds the messages at OpenPhone): each parked status is replayed onto its member.
    await w.execute("UPDATE members SET lease_until = now() - interval '1 second'")
    await eventually(lambda: _count(w, "SELECT count(*) FROM members WHERE message_id IS NOT NULL", 3))  # fmt: skip
    a, b, c = [await w.member(p) for p in (A, B, C)]
    assert (a.status, a.message_id, a.recovered) == ("delivered", messages[A].id, True)
    assert a.delivered_at == t0 + timedelta(seconds=5)
    assert a.sent_at == messages[A].created_at
    assert (b.status, b.delivered_at) == ("delivered", t0 + timedelta(seconds=6))
    assert (c.status, c.reason, c.failed_at) == ("undelivered", "undelivered", t0 + timedelta(seconds=7))  # fmt: skip
    assert c.delivered_at is None
    assert await w.rows("SELECT * FROM parked_statuses") == []

    # 3. Late and regressive news: failed after delivered (A); a reply, then failed (B);
    #    delivered after undelivered (C). Only the reply moves anything.
    before = await w.processed()
    await w.publish("message.failed", provider(messages[A], "failed", t0 + timedelta(seconds=30)), t0)  # fmt: skip
    reply = Message.model_validate({
        "id": "ACreply1", "from": B, "to": [w.sim.lines[0]], "direction": "incoming",
        "text": "Thanks!", "status": "received", "createdAt": (t0 + timedelta(minutes=1)).isoformat(),
    })  # fmt: skip
    await w.publish("message.received", reply, t0 + timedelta(minutes=1))
    await eventually(lambda: _count(w, "SELECT count(*) FROM members WHERE status = 'responded'", 1))  # fmt: skip
    await w.publish("message.failed", provider(messages[B], "failed", t0 + timedelta(minutes=2)), t0)  # fmt: skip
    await w.publish("message.delivered", provider(messages[C], "delivered", t0 + timedelta(minutes=3)), t0)  # fmt: skip
    await eventually(lambda: _at_least(w, before + 4))

    a, b, c = [await w.member(p) for p in (A, B, C)]
    assert (a.status, a.failed_at, a.reason, a.delivered_at) == ("delivered", None, None, t0 + timedelta(seconds=5))  # fmt: skip
    assert (b.status, b.failed_at, b.responded_at) == ("responded", None, t0 + timedelta(minutes=1))
    assert (c.status, c.delivered_at, c.failed_at) == ("undelivered", None, t0 + timedelta(seconds=7))  # fmt: skip
    emitted = sorted(
        tuple(r)
        for r in await w.rows("SELECT event_type, count(*) FROM outbox GROUP BY event_type")
    )
    assert emitted == [("member.failed", 1), ("member.responded", 1), ("member.sent", 3)]


async def _count(w: World, sql: str, expected: int) -> bool:
    return int((await w.rows(sql))[0][0]) == expected


async def _at_least(w: World, expected: int) -> bool:
    return await w.processed() >= expected
