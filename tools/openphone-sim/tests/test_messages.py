"""Sending and receiving messages over real HTTP: the status lifecycle and its webhooks."""

from __future__ import annotations

import pytest

from smsbus.contracts import Message
from smsbus.contracts.rest import DataResponse
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator

from .conftest import Receiver

CUSTOMER = "+15555550142"


async def send(sim: RunningSimulator, to: str, text: str = "Hello") -> Message:
    async with sim.client() as openphone:
        answer = await openphone.post(
            "/v1/messages", json={"content": text, "from": sim.lines[0], "to": [to]}
        )
    assert answer.status_code == 202, answer.text
    return DataResponse[Message].model_validate(answer.json()).data


async def status_of(sim: RunningSimulator, message_id: str) -> str:
    async with sim.client() as openphone:
        answer = await openphone.get(f"/v1/messages/{message_id}")
    return str(answer.json()["data"]["status"])


# to, statuses after 0.5 s and after 2 s (the default schedule), the webhook fired
LIFECYCLES = [
    pytest.param(CUSTOMER, "sent", "delivered", "message.delivered", id="delivered"),
    pytest.param("+15555550199", "sent", "undelivered", "message.undelivered", id="undelivered"),
    pytest.param("+15555550198", "queued", "failed", "message.failed", id="failed"),
]


@pytest.mark.parametrize(("to", "midway", "final", "event"), LIFECYCLES)
async def test_a_sent_message_moves_through_its_statuses_and_fires_the_final_one(
    receiver: Receiver, to: str, midway: str, final: str, event: str
) -> None:
    async with running_simulator(webhook_urls=[receiver.url]) as sim:
        await sim.clock(frozen=True)
        message = await send(sim, to)
        assert message.status == "queued"

        await sim.clock(advance=1)
        await sim.settle()
        assert await status_of(sim, message.id) == midway
        assert receiver.received == []

        await sim.clock(advance=1)
        await sim.settle()
        assert await status_of(sim, message.id) == final

    assert receiver.types == [event]
    webhook = receiver.received[0]
    assert webhook.resource["id"] == message.id
    assert webhook.resource["status"] == final
    assert webhook.verifies_with(sim.signing_key)


async def test_a_message_to_another_of_our_lines_also_arrives_there(receiver: Receiver) -> None:
    async with running_simulator(speed=1000, webhook_urls=[receiver.url]) as sim:
        sent = await send(sim, sim.lines[1], text="[HEALTH_CHECK] canary")
        await sim.settle()
        incoming = await sim.messages(direction="incoming", to=sim.lines[1])

    assert sorted(receiver.types) == ["message.delivered", "message.received"]
    received = receiver.of_type("message.received")[0].resource
    assert received["text"] == "[HEALTH_CHECK] canary"
    assert (received["from"], received["to"], received["direction"]) == (
        sim.lines[0], [sim.lines[1]], "incoming",
    )  # fmt: skip
    assert received["id"] != sent.id
    assert [m["id"] for m in incoming] == [received["id"]]


async def test_an_inbound_message_fires_message_received_and_is_listed(receiver: Receiver) -> None:
    async with running_simulator(webhook_urls=[receiver.url]) as sim:
        answer = await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="STOP")
        await sim.settle()
        async with sim.client() as openphone:
            listed = await openphone.get(
                "/v1/messages",
                params={
                    "phoneNumberId": answer["data"]["phoneNumberId"],
                    "participants[]": CUSTOMER,
                },
            )

    message = Message.model_validate(answer["data"])
    assert (message.direction, message.status, message.user_id) == ("incoming", "received", None)
    assert receiver.types == ["message.received"]
    assert receiver.received[0].resource["text"] == "STOP"
    assert listed.json()["data"][0]["id"] == message.id


async def test_the_admin_message_list_filters() -> None:
    async with running_simulator(speed=1000, demo_history=False) as sim:
        await send(sim, CUSTOMER, "one")
        await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="two")
        await sim.settle()
        everything = await sim.messages()
        incoming = await sim.messages(direction="incoming")
        from_customer = await sim.messages(**{"from": CUSTOMER})
        to_customer = await sim.messages(to=CUSTOMER)
        since_later = await sim.messages(since="2999-01-01T00:00:00Z")

    assert [m["text"] for m in everything] == ["one", "two"]
    assert [m["text"] for m in incoming] == ["two"]
    assert [m["text"] for m in from_customer] == ["two"]
    assert [m["text"] for m in to_customer] == ["one"]
    assert since_later == []


async def test_every_rest_request_is_recorded_with_its_answer() -> None:
    async with running_simulator() as sim:
        sent = await send(sim, CUSTOMER, "recorded")
        async with sim.client() as openphone:
            await openphone.get("/v1/messages/ACnope")
        requests = await sim.requests()

    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("POST", "/v1/messages", 202),
        ("GET", "/v1/messages/ACnope", 404),
    ]
    assert requests[0]["body"]["content"] == "recorded"
    assert requests[0]["answer"]["data"]["id"] == sent.id
    assert requests[1]["answer"]["code"] == "0200404"
