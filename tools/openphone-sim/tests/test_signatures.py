"""Every webhook the simulator fires verifies with smsbus.openphone.signing.verify, in every
payload generation, and one flipped byte of the body makes it fail."""

from __future__ import annotations

import time

import pytest

from smsbus.openphone.signing import Scheme, SignatureError, SigningKey, verify
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator

from .conftest import Received, Receiver

CUSTOMER = "+15555550142"
GENERATIONS = ["v2", "v3", "v4", "2026-03-30"]


async def fire_everything(sim: RunningSimulator) -> None:
    """One of each kind of fact: messages both ways, failures, a full call, a contact."""
    async with sim.client() as openphone:
        for to in (CUSTOMER, "+15555550199", "+15555550198"):
            await openphone.post(
                "/v1/messages", json={"content": "Hi ✓", "from": sim.lines[0], "to": [to]}
            )
        created = await openphone.post("/v1/contacts", json={"defaultFields": {"firstName": "Zoë"}})
        await openphone.delete(f"/v1/contacts/{created.json()['data']['id']}")
    await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="Hello")
    await sim.inbound_call(
        sender=CUSTOMER, to=sim.lines[0], recording=True, summary=True, transcript=True
    )
    await sim.inbound_call(sender=CUSTOMER, to=sim.lines[0], outcome="voicemail")
    await sim.settle()


def flipped(body: bytes, index: int) -> bytes:
    return body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]


@pytest.mark.parametrize("generation", GENERATIONS)
async def test_every_webhook_verifies_and_a_flipped_byte_does_not(
    receiver: Receiver, generation: str
) -> None:
    async with running_simulator(speed=1000, demo_history=False) as sim:
        webhook = (await sim.add_webhook(receiver.url, generation=generation))["data"]
        await fire_everything(sim)

    key = [SigningKey.parse(webhook["key"])]
    expected_scheme = Scheme.STANDARD if generation == "2026-03-30" else Scheme.OPENPHONE
    assert len(receiver.received) >= 8
    for item in receiver.received:
        assert verify(item.body, item.headers, key, now=time.time()) is expected_scheme
        for index in (0, len(item.body) // 2, len(item.body) - 1):
            with pytest.raises(SignatureError):
                verify(flipped(item.body, index), item.headers, key, now=time.time())


@pytest.mark.parametrize("generation", GENERATIONS)
async def test_the_seeded_webhook_signs_with_the_configured_key(
    receiver: Receiver, generation: str
) -> None:
    async with running_simulator(webhook_urls=[receiver.url], payload_generation=generation) as sim:
        await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="Hello")
        await sim.settle()

    [item] = receiver.received
    assert item.verifies_with(sim.signing_key)
    assert not item.verifies_with("d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXkhIQ==")
    assert item.payload["apiVersion"] == generation


def by_type(received: list[Received], event_type: str) -> Received:
    return next(item for item in received if item.type == event_type)


async def test_each_generation_has_its_own_shape(receiver: Receiver) -> None:
    async with running_simulator(speed=1000, demo_history=False) as sim:
        for generation in GENERATIONS:
            await sim.add_webhook(f"{receiver.url}?g={generation}", generation=generation)
        await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="Hello")
        await sim.inbound_call(sender=CUSTOMER, to=sim.lines[0], outcome="missed")
        await sim.settle()

    messages = {
        item.payload["apiVersion"]: item.payload for item in receiver.of_type("message.received")
    }
    calls = {
        item.payload["apiVersion"]: item.payload for item in receiver.of_type("call.completed")
    }
    assert messages["v4"]["data"]["object"]["text"] == "Hello"
    assert messages["v4"]["data"]["object"]["to"] == [sim.lines[0]]
    for app in ("v2", "v3"):
        assert messages[app]["data"]["object"]["body"] == "Hello"
        assert messages[app]["data"]["object"]["to"] == sim.lines[0]
        assert (calls[app]["data"]["object"]["from"], calls[app]["data"]["object"]["to"]) == (
            CUSTOMER,
            sim.lines[0],
        )
    assert "createdBy" in messages["v3"]["data"]["object"]
    assert calls["v4"]["data"]["object"]["participants"] == [CUSTOMER]
    assert calls["v4"]["data"]["object"]["answeredAt"] is None
    versioned = messages["2026-03-30"]
    assert "object" not in versioned
    assert versioned["data"]["resource"]["text"] == "Hello"
    assert versioned["data"]["context"]["senderIdentifier"] == CUSTOMER
    assert versioned["data"]["context"]["recipientIdentifiers"] == [sim.lines[0]]
    assert {item.payload["id"] for item in receiver.of_type("message.received")} == {
        versioned["id"]
    }
    assert all(
        item.event_id.startswith("EV") and len(item.event_id) == 34 for item in receiver.received
    )


async def test_bodies_are_compact_json_with_millisecond_timestamps(receiver: Receiver) -> None:
    async with running_simulator(webhook_urls=[receiver.url]) as sim:
        await sim.clock(set="2025-03-01T12:00:00Z", frozen=True)
        await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="Hello")
        await sim.settle()

    [item] = receiver.received
    assert b": " not in item.body
    assert b", " not in item.body
    assert item.payload["createdAt"] == "2025-03-01T12:00:00.000Z"
    # The signature's timestamp is the real wall clock, not the simulated one.
    signed_ms = int(item.headers["openphone-signature"].split(";")[2])
    assert abs(signed_ms / 1000 - time.time()) < 60
