import re
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from smsbus.contracts import (
    ROUTES,
    Call,
    CallSummary,
    ConsentGranted,
    ConsentRevoked,
    Contact,
    Message,
    UnknownEventType,
    UnknownTopic,
    WebhookRejected,
    all_dlq_topics,
    all_topics,
    consumer_groups,
    dlq_topic,
    make_envelope,
    partition_key,
    route_for,
)

OUR_NUMBER = "+15555555555"
THEIR_NUMBER = "+19876543210"
CREATED = datetime(2025, 4, 14, 15, 2, 10, tzinfo=UTC)


def a_message(**overrides: Any) -> Message:
    fields: dict[str, Any] = {
        "id": "AC24a8b8321c4f4cf2be110f4250793d51",
        "from": THEIR_NUMBER,
        "to": [OUR_NUMBER],
        "direction": "incoming",
        "text": "STOP",
        "status": "received",
        "createdAt": CREATED,
    }
    return Message.model_validate(fields | overrides)


def a_call(**overrides: Any) -> Call:
    fields: dict[str, Any] = {
        "id": "ACsXlF0",
        "direction": "outgoing",
        "status": "ringing",
        "participants": [THEIR_NUMBER],
        "createdAt": CREATED,
    }
    return Call.model_validate(fields | overrides)


def a_contact(**overrides: Any) -> Contact:
    fields: dict[str, Any] = {"id": "CT64260c5cd1c90ca558ff6edb", "createdAt": CREATED}
    return Contact.model_validate(fields | overrides)


def a_rejection(**overrides: Any) -> WebhookRejected:
    fields: dict[str, Any] = {
        "body": "{not json",
        "body_encoding": "utf-8",
        "reason": "malformed_json",
        "reason_detail": "Expecting property name enclosed in double quotes",
        "event_type": None,
        "headers": {"content-type": "application/json"},
        "signature_scheme": "openphone-signature",
        "received_at": CREATED,
    }
    return WebhookRejected.model_validate(fields | overrides)


def a_consent_change(model: type[BaseModel], **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "entry_id": "0b6f3c9e-4d0a-5f1e-9d6b-2a7c1e8f4b21",
        "phone": THEIR_NUMBER,
        "scope": "all",
        "source": "sms",
        "actor": "compliance",
        "evidence": {"message_id": "AC24a8", "text": "STOP"},
        "received_at": CREATED,
        "recorded_at": CREATED,
    }
    return model.model_validate(fields | overrides)


def an_envelope(event_type: str, data: BaseModel) -> Any:
    return make_envelope(
        data,
        event_type=event_type,
        event_id="EVc67ec998b35c41d388af50799aeeba3e",
        object_id="AC24a8b8321c4f4cf2be110f4250793d51",
        source="openphone.webhook",
        occurred_at=CREATED,
        recorded_at=CREATED,
    )


PARTITION_KEYS = [
    pytest.param("message.received", a_message(), THEIR_NUMBER, id="incoming: the sender"),
    pytest.param("message.delivered", a_message(**{"from": OUR_NUMBER, "to": [THEIR_NUMBER], "direction": "outgoing"}), THEIR_NUMBER, id="outgoing: the first recipient"),
    pytest.param("message.undelivered", a_message(**{"from": OUR_NUMBER, "to": [THEIR_NUMBER, "+15032601493"]}, direction="outgoing"), THEIR_NUMBER, id="outgoing group: the first recipient"),
    pytest.param("call.ringing", a_call(), THEIR_NUMBER, id="call: the participant"),
    pytest.param("call.completed", a_call(direction="incoming", participants=[THEIR_NUMBER, "+15032601493"]), THEIR_NUMBER, id="call with two participants: the first"),
    pytest.param("call.summary.completed", CallSummary(call_id="ACsXlF0", status="completed"), "ACsXlF0", id="summary: the call id"),
    pytest.param("contact.deleted", a_contact(), "CT64260c5cd1c90ca558ff6edb", id="contact"),
    pytest.param("webhook.rejected", a_rejection(event_type="message.scheduled", reason="unknown_event_type"), "message.scheduled", id="rejected: the claimed type"),
    pytest.param("webhook.rejected", a_rejection(), "unknown", id="rejected: no type"),
    pytest.param("consent.revoked", a_consent_change(ConsentRevoked), THEIR_NUMBER, id="revoked: the number"),
    pytest.param("consent.granted", a_consent_change(ConsentGranted, consent_type="express"), THEIR_NUMBER, id="granted: the number"),
]  # fmt: skip


@pytest.mark.parametrize(("event_type", "data", "expected_key"), PARTITION_KEYS)
def test_partition_key(event_type: str, data: BaseModel, expected_key: str) -> None:
    assert partition_key(an_envelope(event_type, data)) == expected_key


def test_partition_key_refuses_a_payload_of_another_model() -> None:
    with pytest.raises(TypeError, match=r"message\.received carries Message, got Call"):
        route_for("message.received").partition_key(a_call())


def test_unknown_event_type_names_the_type_and_is_a_key_error() -> None:
    with pytest.raises(KeyError) as raised:
        route_for("message.sent")
    assert isinstance(raised.value, UnknownEventType)
    assert "no route for event type 'message.sent'" in str(raised.value)


def test_topics_and_consumer_groups() -> None:
    assert all_topics() == [
        "campaigns.events.v1",
        "compliance.consent.v1",
        "health.checks.v1",
        "ingest.rejected.v1",
        "openphone.calls.v1",
        "openphone.contacts.v1",
        "openphone.messages.v1",
        "outbound.requests.v1",
        "outbound.results.v1",
    ]
    assert consumer_groups("openphone.messages.v1") == [
        "campaign-engine",
        "compliance",
        "health-monitor",
        "reconciler",
    ]
    assert consumer_groups("ingest.rejected.v1") == []
    assert consumer_groups("compliance.consent.v1") == ["campaign-engine"]
    assert consumer_groups("campaigns.events.v1") == []
    assert consumer_groups("health.checks.v1") == []
    assert consumer_groups("outbound.requests.v1") == ["compliance"]
    assert consumer_groups("outbound.results.v1") == ["campaign-engine", "health-monitor"]
    with pytest.raises(UnknownTopic, match=r"unknown topic 'openphone\.sms\.v1'"):
        consumer_groups("openphone.sms.v1")


def test_dlq_topics_one_per_topic_and_group() -> None:
    assert dlq_topic("openphone.messages.v1", "compliance") == (
        "openphone.messages.v1.compliance.dlq"
    )
    assert all_dlq_topics() == [
        "compliance.consent.v1.campaign-engine.dlq",
        "openphone.calls.v1.reconciler.dlq",
        "openphone.contacts.v1.campaign-engine.dlq",
        "openphone.messages.v1.campaign-engine.dlq",
        "openphone.messages.v1.compliance.dlq",
        "openphone.messages.v1.health-monitor.dlq",
        "openphone.messages.v1.reconciler.dlq",
        "outbound.requests.v1.compliance.dlq",
        "outbound.results.v1.campaign-engine.dlq",
        "outbound.results.v1.health-monitor.dlq",
    ]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.event_type)
def test_every_route_is_complete(route: Any) -> None:
    assert re.fullmatch(r"[a-z]+\.[a-z]+\.v[1-9][0-9]*", route.topic)
    assert route.producers
    assert route.schema_version >= 1
    assert route.description.endswith(".")
    assert route.event_type.count(".") >= 1


def test_event_types_are_unique() -> None:
    event_types = [route.event_type for route in ROUTES]
    assert len(event_types) == len(set(event_types))


def test_make_envelope_derives_version_and_dedupe_key() -> None:
    envelope = an_envelope("message.received", a_message())
    assert envelope.schema_version == 1
    assert envelope.dedupe_key == "message.received:AC24a8b8321c4f4cf2be110f4250793d51"
    assert envelope.correlation_id is None


def test_make_envelope_refuses_a_payload_of_another_model() -> None:
    with pytest.raises(TypeError, match=r"call\.ringing carries Call, got Message"):
        an_envelope("call.ringing", a_message())
