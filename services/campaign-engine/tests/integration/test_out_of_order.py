"""Provider news out of order, through the real consumer path: Kafka topic → subscriber →
handler (parking) → the egress's accepted result records the send (replaying what was parked).

The members start where a slow result leaves them: send requested (`sending`, attempt 1), the
message already at OpenPhone, its `send.accepted` not consumed yet. Their delivered/undelivered
webhooks arrive first and are parked; the accepted results arrive afterwards and the parked
status is applied. Late and regressive news (failed after delivered, delivered after
undelivered, failed after a reply) changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from smsbus.contracts import Message, make_envelope
from smsbus.contracts.outbound import SendAccepted
from smsbus.runtime.kafka import publish_event

from .rig import LINE, START, Rig, eventually, of

pytestmark = [pytest.mark.integration, pytest.mark.slow]

A, B, C = "+12125550143", "+13125550144", "+16175550145"


class Provider:
    """OpenPhone's webhooks as ingest publishes them."""

    def __init__(self, rig: Rig) -> None:
        self.rig, self.seq = rig, 0

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
        await publish_event(
            self.rig.broker, envelope, topic=self.rig.topics["openphone.messages.v1"]
        )


async def requested_and_sent(rig: Rig) -> dict[str, tuple[Message, SendAccepted]]:
    """Members A, B, C requested (attempt 1); their messages at OpenPhone; results unsent."""
    await rig.campaign([A, B, C])
    requests = await rig.requested(3)
    found = {}
    for i, phone in enumerate((A, B, C)):
        at = START + timedelta(seconds=i)
        message = Message.model_validate({
            "id": f"ACsent{i}", "from": LINE, "to": [phone], "direction": "outgoing",
            "text": f"Hi P{i}", "status": "sent", "createdAt": at.isoformat(),
        })  # fmt: skip
        accepted = SendAccepted(
            **of(requests[phone], at), message_id=message.id, sent_at=at,
            recovered=phone == A, consent="opted_in",
        )  # fmt: skip
        found[phone] = (message, accepted)
    return found


def provider(message: Message, status: str, at: datetime) -> Message:
    return message.model_copy(update={"status": status, "updated_at": at})


async def test_statuses_before_the_send_is_recorded_then_late_regressions(rig: Rig) -> None:
    sent = await requested_and_sent(rig)
    messages = {phone: message for phone, (message, _) in sent.items()}
    openphone = Provider(rig)
    t0 = messages[A].created_at

    # 1. Delivered (A, B) and undelivered (C) arrive before any send is recorded: parked.
    await openphone.publish(
        "message.delivered", provider(messages[A], "delivered", t0 + timedelta(seconds=5)), t0
    )
    await openphone.publish(
        "message.delivered", provider(messages[B], "delivered", t0 + timedelta(seconds=6)), t0
    )
    await openphone.publish(
        "message.undelivered", provider(messages[C], "undelivered", t0 + timedelta(seconds=7)), t0
    )
    await eventually(lambda: _count(rig, "SELECT count(*) FROM parked_statuses", 3))
    assert {tuple(r) for r in await rig.rows("SELECT phone, status, message_id FROM members")} == {
        (A, "sending", None),
        (B, "sending", None),
        (C, "sending", None),
    }

    # 2. The sends are recorded after their statuses (the egress's accepted results arrive
    #    late; A's was found at OpenPhone after an unknown outcome): each parked status is
    #    replayed onto its member.
    for _, accepted in sent.values():
        await rig.answer(accepted)
    await eventually(
        lambda: _count(rig, "SELECT count(*) FROM members WHERE message_id IS NOT NULL", 3)
    )
    a, b, c = [await rig.member(p) for p in (A, B, C)]
    assert (a.status, a.message_id, a.recovered) == ("delivered", messages[A].id, True)
    assert a.delivered_at == t0 + timedelta(seconds=5)
    assert a.sent_at == messages[A].created_at
    assert (b.status, b.delivered_at, b.recovered) == (
        "delivered",
        t0 + timedelta(seconds=6),
        False,
    )
    assert (c.status, c.reason, c.failed_at) == (
        "undelivered",
        "undelivered",
        t0 + timedelta(seconds=7),
    )
    assert c.delivered_at is None
    assert await rig.rows("SELECT * FROM parked_statuses") == []

    # 3. Late and regressive news: failed after delivered (A); a reply, then failed (B);
    #    delivered after undelivered (C). Only the reply moves anything.
    before = await rig.processed()
    await openphone.publish(
        "message.failed", provider(messages[A], "failed", t0 + timedelta(seconds=30)), t0
    )
    reply = Message.model_validate({
        "id": "ACreply1", "from": B, "to": [LINE], "direction": "incoming",
        "text": "Thanks!", "status": "received", "createdAt": (t0 + timedelta(minutes=1)).isoformat(),
    })  # fmt: skip
    await openphone.publish("message.received", reply, t0 + timedelta(minutes=1))
    await eventually(
        lambda: _count(rig, "SELECT count(*) FROM members WHERE status = 'responded'", 1)
    )
    await openphone.publish(
        "message.failed", provider(messages[B], "failed", t0 + timedelta(minutes=2)), t0
    )
    await openphone.publish(
        "message.delivered", provider(messages[C], "delivered", t0 + timedelta(minutes=3)), t0
    )
    await eventually(lambda: _at_least(rig, before + 4))

    a, b, c = [await rig.member(p) for p in (A, B, C)]
    assert (a.status, a.failed_at, a.reason, a.delivered_at) == (
        "delivered",
        None,
        None,
        t0 + timedelta(seconds=5),
    )
    assert (b.status, b.failed_at, b.responded_at) == ("responded", None, t0 + timedelta(minutes=1))
    assert (c.status, c.delivered_at, c.failed_at) == (
        "undelivered",
        None,
        t0 + timedelta(seconds=7),
    )
    emitted = sorted(
        tuple(r)
        for r in await rig.rows("SELECT event_type, count(*) FROM outbox GROUP BY event_type")
    )
    assert emitted == [
        ("member.failed", 1), ("member.responded", 1), ("member.sent", 3), ("send.requested", 3),
    ]  # fmt: skip


async def _count(rig: Rig, sql: str, expected: int) -> bool:
    return int(await rig.scalar(sql)) == expected


async def _at_least(rig: Rig, expected: int) -> bool:
    return await rig.processed() >= expected
