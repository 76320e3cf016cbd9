"""The whole service in-process against real Kafka, PostgreSQL and the OpenPhone simulator:
events in on the messages topic → consent, confirmations at the simulator, events out, DLQ."""

import asyncio
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from faststream.kafka import KafkaBroker

from smsbus.compliance.app import create_app
from smsbus.compliance.settings import Settings
from smsbus.contracts import decode_event, dlq_topic
from smsbus.ingest.testing import read_topics
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.kafka import OutgoingRecord, make_broker, publish_event, publish_record
from smsbus.runtime.testing import NewTopic, RegistryTopics, eventually, service_fields, unique_name
from smsbus.runtime.testing_api import AUTH, answers_ready

from ..builders import a_received_event

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@dataclass
class Service:
    api: httpx.AsyncClient
    sim: RunningSimulator
    messages_topic: str
    consent_topic: str
    dlq: str


@pytest.fixture
async def service(
    database_url: str,
    schema: str,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    registry_topics: RegistryTopics,
) -> AsyncIterator[Service]:
    topics = await registry_topics()
    messages, consent = topics["openphone.messages.v1"], topics["compliance.consent.v1"]
    group = unique_name("compliance")
    dlq = await new_topic(name=dlq_topic(messages, group))
    async with running_simulator(speed=1000, demo_history=False) as sim:
        stack = service_fields(
            database_url=database_url, bootstrap=kafka_bootstrap, topics=topics, schema=schema,
            group=group, openphone=sim,
        )  # fmt: skip
        settings = Settings(
            **stack,
            brand_name="Acme Fences",
            egress_poll_interval=0.2,
            dlq_poll_interval=0.5,
        )
        async with (
            serving(create_app(settings), name="compliance") as url,
            httpx.AsyncClient(headers=AUTH, base_url=url) as api,
        ):
            await eventually(lambda: answers_ready(api))
            yield Service(api, sim, messages, consent, dlq)


@pytest.fixture
async def publisher(kafka_bootstrap: str) -> AsyncIterator[KafkaBroker]:
    broker = make_broker(kafka_bootstrap, client_id="compliance-tests")
    await broker.start()
    yield broker
    await broker.stop()


async def status(service: Service, phone: str) -> str:
    return (await service.api.get(f"/v1/consent/{phone}")).json()["status"]


async def test_stop_is_suppressed_confirmed_once_and_announced(
    service: Service, publisher: KafkaBroker, kafka_bootstrap: str
) -> None:
    phone = "+14155552671"
    stop = a_received_event(
        "STOP", message_id="ACapp1", phone=phone, to=[service.sim.lines[0]], phoneNumberId=None
    )
    for copy in (
        stop,
        stop,
        stop,
        a_received_event(
            "STOP",
            message_id="ACapp1",
            phone=phone,
            source="reconciler",
            event_id="rec-1",
            to=[service.sim.lines[0]],
            phoneNumberId=None,
        ),
    ):
        await publish_event(publisher, copy, topic=service.messages_topic)

    await eventually(lambda: _is(status(service, phone), "opted_out"))
    sent = await eventually(lambda: service.sim.messages(direction="outgoing", to=phone))
    await asyncio.sleep(1.0)  # room for a duplicate to show up, if there were one
    sent = await service.sim.messages(direction="outgoing", to=phone)
    assert len(sent) == 1
    assert sent[0]["text"].startswith("Acme Fences: You are unsubscribed")
    assert sent[0]["from"] == service.sim.lines[0]

    records = await eventually(lambda: _records(kafka_bootstrap, service.consent_topic))
    events = [decode_event(r.value) for r in records]
    assert [(e.type, e.data.phone) for e in events] == [("consent.revoked", phone)]
    assert records[0].key == phone.encode()

    export = (await service.api.get(f"/v1/consent/{phone}/export")).json()
    assert [(r["purpose"], r["status"], r["message_id"]) for r in export["replies"]] == [
        ("opt_out_confirmation", "sent", sent[0]["id"])
    ]
    metrics = (await service.api.get("/metrics")).text
    assert 'smsbus_compliance_decisions_total{intent="opt_out",language="en"} 1.0' in metrics
    assert "smsbus_compliance_suppression_latency_seconds_count" in metrics


async def test_a_poison_event_goes_to_the_dlq_and_the_partition_flows_on(
    service: Service, publisher: KafkaBroker, kafka_bootstrap: str
) -> None:
    phone = "+14155552672"
    await publish_record(
        publisher,
        OutgoingRecord(
            service.messages_topic,
            phone.encode(),
            b'{"type": "message.received", "data": 42}',
            {"event-id": "EVpoison"},
        ),
    )
    await publish_event(
        publisher,
        a_received_event(
            "stop", message_id="ACafter", phone=phone, to=[service.sim.lines[0]], phoneNumberId=None
        ),
        topic=service.messages_topic,
    )

    await eventually(lambda: _is(status(service, phone), "opted_out"))
    dead = await eventually(lambda: _records(kafka_bootstrap, service.dlq))
    headers = {k: v.decode() for k, v in dead[0].headers}
    assert dead[0].value == b'{"type": "message.received", "data": 42}'
    assert headers["x-error-type"] == "pydantic_core._pydantic_core.ValidationError"
    assert headers["x-original-topic"] == service.messages_topic
    assert headers["x-original-offset"] == "0"
    assert "validation error" in headers["x-error-message"]
    metrics = await eventually(
        lambda: _metric_contains(
            service, f'smsbus_compliance_dlq_messages{{topic="{service.dlq}"}} 1.0'
        )
    )
    assert metrics


async def _is(value: Awaitable[str], expected: str) -> bool:
    return await value == expected


async def _records(bootstrap: str, topic: str) -> list[Any]:
    return (await read_topics(bootstrap, [topic]))[topic]


async def _metric_contains(service: Service, needle: str) -> bool:
    return needle in (await service.api.get("/metrics")).text
