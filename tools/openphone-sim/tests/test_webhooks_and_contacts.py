"""Webhook management as OpenPhone's (v1 and 2026-03-30) and contacts with their events."""

from __future__ import annotations

import pytest

from smsbus.contracts import Contact
from smsbus.contracts.rest import DataResponse, ListResponse, RestContact, Webhook
from smsbus.openphone_sim.testing import running_simulator

from .conftest import Receiver

CUSTOMER = "+15555550142"


@pytest.mark.parametrize(
    ("kind", "events"),
    [
        ("messages", ["message.received", "message.delivered"]),
        ("calls", ["call.completed", "call.ringing", "call.recording.completed"]),
        ("call-summaries", ["call.summary.completed"]),
        ("call-transcripts", ["call.transcript.completed"]),
    ],
)
async def test_a_v1_webhook_is_created_listed_fetched_and_deleted(
    kind: str, events: list[str]
) -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        created = await openphone.post(
            f"/v1/webhooks/{kind}", json={"url": "https://example.com/hook", "events": events}
        )
        webhook = DataResponse[Webhook].model_validate(created.json()).data
        listed = ListResponse[Webhook].model_validate((await openphone.get("/v1/webhooks")).json())
        fetched = await openphone.get(f"/v1/webhooks/{webhook.id}")
        deleted = await openphone.delete(f"/v1/webhooks/{webhook.id}")
        gone = await openphone.get(f"/v1/webhooks/{webhook.id}")

    assert created.status_code == 201
    assert webhook.id.startswith("WH")
    assert webhook.events == events
    assert webhook.status == "enabled"
    assert len(webhook.key) == 44  # base64 of 32 bytes
    assert [w.id for w in listed.data] == [webhook.id]
    assert fetched.json()["data"]["key"] == webhook.key
    assert (deleted.status_code, gone.status_code) == (204, 404)


@pytest.mark.parametrize(
    ("kind", "events"),
    [
        ("messages", ["call.ringing"]),
        ("calls", ["message.received"]),
        ("messages", ["message.failed"]),
        ("messages", []),
    ],
)
async def test_a_v1_webhook_refuses_events_of_another_kind(kind: str, events: list[str]) -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        answer = await openphone.post(
            f"/v1/webhooks/{kind}", json={"url": "https://example.com/hook", "events": events}
        )

    assert (answer.status_code, answer.json()["code"]) == (400, "0200400")


async def test_a_registered_webhook_gets_only_its_events_signed_with_its_own_key(
    receiver: Receiver,
) -> None:
    async with running_simulator(speed=1000) as sim, sim.client() as openphone:
        created = await openphone.post(
            "/v1/webhooks/messages", json={"url": receiver.url, "events": ["message.received"]}
        )
        key = created.json()["data"]["key"]
        await openphone.post(
            "/v1/messages", json={"content": "Hi", "from": sim.lines[0], "to": [CUSTOMER]}
        )
        await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="Hello")
        await sim.settle()

    assert receiver.types == ["message.received"]
    assert receiver.received[0].verifies_with(key)
    assert not receiver.received[0].verifies_with(sim.signing_key)


async def test_a_versioned_webhook_needs_the_version_header_and_gets_a_whsec_key() -> None:
    body = {"url": "https://example.com/hook", "events": ["message.failed", "call.missed"]}
    async with running_simulator() as sim, sim.client() as openphone:
        without = await openphone.post("/webhooks", json=body)
        created = await openphone.post(
            "/webhooks", json=body, headers={"Quo-Api-Version": "2026-03-30"}
        )
        v1_list = (await openphone.get("/v1/webhooks")).json()["data"]

    assert without.status_code == 400
    assert created.status_code == 201
    assert created.json()["data"]["key"].startswith("whsec_")
    assert v1_list == []


async def test_contacts_crud_fires_contact_events_to_app_webhooks(receiver: Receiver) -> None:
    async with running_simulator(demo_history=False) as sim:
        await sim.add_webhook(receiver.url, generation="v3")
        async with sim.client() as openphone:
            created = await openphone.post(
                "/v1/contacts",
                json={
                    "defaultFields": {
                        "firstName": "Ada",
                        "phoneNumbers": [{"name": "mobile", "value": CUSTOMER}],
                    },
                    "externalId": "crm-1",
                    "source": "crm",
                },
            )
            contact = DataResponse[RestContact].model_validate(created.json()).data
            patched = await openphone.patch(
                f"/v1/contacts/{contact.id}",
                json={"defaultFields": {"firstName": "Ada", "lastName": "L"}},
            )
            listed = await openphone.get("/v1/contacts", params={"externalIds": "crm-1"})
            other = await openphone.get("/v1/contacts", params={"sources": "elsewhere"})
            deleted = await openphone.delete(f"/v1/contacts/{contact.id}")
            gone = await openphone.get(f"/v1/contacts/{contact.id}")
        await sim.inbound_message(sender="+15555550177", to=sim.lines[0], text="hi")
        await sim.settle()

    assert created.status_code == 201
    assert len(contact.id) == 24
    assert patched.json()["data"]["defaultFields"]["lastName"] == "L"
    assert [c["id"] for c in listed.json()["data"]] == [contact.id]
    assert other.json()["data"] == []
    assert (deleted.status_code, gone.status_code) == (204, 404)
    assert receiver.types == [
        "contact.updated",
        "contact.updated",
        "contact.deleted",
        "message.received",
    ]
    webhook_contact = Contact.model_validate(receiver.received[0].resource)
    assert webhook_contact.id == "CT" + contact.id
    assert webhook_contact.fields == {"Phone": [CUSTOMER]}


async def test_messages_carry_the_ids_of_matching_contacts() -> None:
    async with running_simulator(demo_history=False) as sim:
        async with sim.client() as openphone:
            created = await openphone.post(
                "/v1/contacts", json={"defaultFields": {"phoneNumbers": [{"value": CUSTOMER}]}}
            )
        answer = await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="hi")

    assert answer["data"]["contactIds"] == [created.json()["data"]["id"]]
