"""The parsers, table-driven: every sample of every generation, the provider quirks, the refusals."""

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from smsbus.contracts import Call, CallSummary, Message
from smsbus.ingest.envelope import webhook_envelope
from smsbus.ingest.parsing import Unparseable, parse_webhook
from smsbus.ingest.testing import compact, sample, samples

from .payloads import DELETE, put

RECORDED = datetime(2025, 4, 14, 17, 0, tzinfo=UTC)
OTHER_GENERATIONS = [s for s in samples() if s.generation != "v4"]


def test_every_registry_webhook_type_has_a_v4_sample() -> None:
    from smsbus.ingest.parsing import WEBHOOK_TYPES

    assert {s.event_type for s in samples("v4")} == set(WEBHOOK_TYPES)


@pytest.mark.parametrize("case", samples(), ids=lambda s: s.label)
def test_every_sample_parses_into_its_registry_model(case) -> None:
    parsed = parse_webhook(case.body())
    payload = case.payload()
    assert parsed.event_type == payload["type"]
    assert parsed.event_id == payload["id"]
    assert parsed.api_version == payload["apiVersion"]


@pytest.mark.parametrize("case", OTHER_GENERATIONS, ids=lambda s: s.label)
def test_every_generation_gives_the_same_canonical_event_as_v4(case) -> None:
    theirs = webhook_envelope(parse_webhook(case.body()), recorded_at=RECORDED)
    v4 = webhook_envelope(parse_webhook(sample("v4", case.event_type).body()), recorded_at=RECORDED)
    assert theirs.model_dump(mode="json", by_alias=True) == v4.model_dump(
        mode="json", by_alias=True
    )


def _edit(generation: str, event_type: str, change) -> bytes:
    payload = copy.deepcopy(sample(generation, event_type).payload())
    change(payload)
    return compact(payload)


def _set(path: str, value: Any):
    """A change setting payload[a][b]… = value (or deleting it when value is DELETE)."""
    return lambda payload: put(payload, path.split("."), value)


# The guide's own call.ringing sample (openphone.md §2.2), with every v4-only call field.
GUIDE_CALL_RINGING = {
    "id": "EV0ea54cadfbf342e6ac4ca1f22ed1700c", "object": "event", "apiVersion": "v4",
    "createdAt": "2022-06-24T19:35:46.825Z", "type": "call.ringing",
    "data": {"object": {
        "id": "ACsXlF0", "object": "call", "answeredAt": "2022-01-01T00:00:00Z",
        "answeredBy": "USlHhXmRMz", "initiatedBy": "USlHhXmRMz", "direction": "outgoing",
        "status": "ringing", "completedAt": "2022-01-01T00:10:00Z", "createdAt": "2022-01-01T00:00:00Z",
        "duration": 60, "forwardedFrom": "UShYmRNzlm", "forwardedTo": "UShXmRMzln",
        "phoneNumberId": "PN1ZmRMzlx", "participants": ["+15555555555"],
        "updatedAt": "2022-01-01T00:10:00Z", "userId": "USlHhXmRMz",
    }},
}  # fmt: skip


@dataclass(frozen=True)
class Quirk:
    label: str
    body: bytes
    event_type: str
    expect: dict[str, Any] = field(default_factory=dict)
    """Canonical fields (wire names) the payload must carry."""


QUIRKS = [
    Quirk("v4: the guide's `callSummary` type is call.summary.completed",
          _edit("v4", "call.summary.completed", _set("type", "callSummary")), "call.summary.completed"),
    Quirk("v4: the guide's `callTranscript` type is call.transcript.completed",
          _edit("v4", "call.transcript.completed", _set("type", "callTranscript")), "call.transcript.completed"),
    Quirk("v4: the guide's call.ringing with every v4 call field", compact(GUIDE_CALL_RINGING), "call.ringing",
          {"answeredBy": "USlHhXmRMz", "duration": 60, "forwardedTo": "UShXmRMzln", "participants": ["+15555555555"]}),
    Quirk("v4: a message without media or conversationId (the 2025 capture)",
          _edit("v4", "message.received", lambda p: [p["data"]["object"].pop(k) for k in ("media", "conversationId")]),
          "message.received", {"media": [], "conversationId": None}),
    Quirk("v4: a field OpenPhone adds later survives",
          _edit("v4", "message.received", _set("data.object.segments", 2)), "message.received", {"segments": 2}),
    Quirk("v3: a group message's `to` is a comma-separated string",
          _edit("app", "message.delivered", lambda p: p["data"]["object"].update(
              apiVersion="v3", to="+15032601493,+15036576960,+15039990000", createdBy=None)),
          "message.delivered", {"to": ["+15032601493", "+15036576960", "+15039990000"], "createdBy": None}),
    Quirk("v2: `to` as an array is taken as is",
          _edit("app", "message.received", _set("data.object.to", ["+15555550100"])), "message.received",
          {"to": ["+15555550100"]}),
    Quirk("v2: a message carrying both `body` and `text` keeps `text`",
          _edit("app", "message.received", _set("data.object.text", "the canonical one")), "message.received",
          {"text": "the canonical one"}),
    Quirk("v3: an incoming call's participant is the caller (`from`)",
          sample("app", "call.completed").body(), "call.completed", {"participants": ["+19876543210"]}),
    Quirk("v3: an outgoing call's participant is the callee (`to`)",
          sample("app", "call.recording.completed").body(), "call.recording.completed",
          {"participants": ["+19876543210"]}),
    Quirk("versioned: unresolved participants fall back to the sender of an incoming call",
          _edit("versioned", "call.ringing", lambda p: p["data"]["context"].update(
              participants={"resolution": "unavailable", "workspace": [], "external": []},
              senderIdentifier="+19876543210", recipientIdentifiers=["+15555550100"])),
          "call.ringing", {"participants": ["+19876543210"]}),
    Quirk("versioned: contacts lookupStatus `unavailable` gives no contact ids",
          _edit("versioned", "message.failed", _set("data.context.contacts", {"lookupStatus": "unavailable"})),
          "message.failed", {"contactIds": []}),
    Quirk("versioned: `answeredByUserId` is the canonical `answeredBy`",
          _edit("versioned", "call.recording.completed", _set("data.resource.answeredByUserId", "USlHhXmRMz")),
          "call.recording.completed", {"answeredBy": "USlHhXmRMz"}),
]  # fmt: skip


@pytest.mark.parametrize("case", QUIRKS, ids=lambda c: c.label)
def test_provider_quirks(case: Quirk) -> None:
    parsed = parse_webhook(case.body)
    assert parsed.event_type == case.event_type
    wire = parsed.data.model_dump(mode="json", by_alias=True)
    for name, value in case.expect.items():
        assert wire[name] == value, name


@dataclass(frozen=True)
class Refusal:
    label: str
    body: bytes
    reason: str
    event_type: str | None = None
    event_id: str | None = None


V4_MESSAGE_ID = "EVc67ec998b35c41d388af50799aeeba3e"

REFUSALS = [
    Refusal("empty body", b"", "malformed_json"),
    Refusal("invalid JSON", b'{"id": "EV1", "type": ', "malformed_json"),
    Refusal("not UTF-8", b"\xff\xfe{}", "malformed_json"),
    Refusal("JSON that is not an object", b'["message.received"]', "invalid_payload"),
    Refusal("JSON null", b"null", "invalid_payload"),
    Refusal("no apiVersion", _edit("v4", "message.received", _set("apiVersion", DELETE)),
            "unsupported_api_version", "message.received", V4_MESSAGE_ID),
    Refusal("apiVersion v1", _edit("v4", "message.received", _set("apiVersion", "v1")),
            "unsupported_api_version", "message.received", V4_MESSAGE_ID),
    Refusal("unknown event type", _edit("v4", "message.received", _set("type", "message.scheduled")),
            "unknown_event_type", "message.scheduled", V4_MESSAGE_ID),
    Refusal("a 2026-03-30 type the contract lacks (call.missed)",
            _edit("versioned", "call.completed", _set("type", "call.missed")),
            "unknown_event_type", "call.missed", "EV1fb6c2d3e4f5a6b7c8d9e0f1a2b3c4d5"),
    Refusal("our own event type claimed by a body",
            _edit("v4", "message.received", _set("type", "webhook.rejected")),
            "unknown_event_type", "webhook.rejected", V4_MESSAGE_ID),
    Refusal("no type", _edit("v4", "message.received", _set("type", DELETE)),
            "invalid_payload", None, V4_MESSAGE_ID),
    Refusal("no event id", _edit("v4", "message.received", _set("id", DELETE)),
            "invalid_payload", "message.received"),
    Refusal("createdAt is not a timestamp", _edit("v4", "message.received", _set("createdAt", "yesterday")),
            "invalid_payload", "message.received", V4_MESSAGE_ID),
    Refusal("data is a string", _edit("v4", "message.received", _set("data", "AC1")),
            "invalid_payload", "message.received", V4_MESSAGE_ID),
    Refusal("missing data.object", _edit("v4", "message.received", _set("data", {})),
            "invalid_payload", "message.received", V4_MESSAGE_ID),
    Refusal("missing data.resource (2026-03-30)", _edit("versioned", "message.received", _set("data.resource", DELETE)),
            "invalid_payload", "message.received", V4_MESSAGE_ID),
    Refusal("a message without an id", _edit("v4", "message.received", _set("data.object.id", DELETE)),
            "invalid_payload", "message.received", V4_MESSAGE_ID),
    Refusal("a message without recipients", _edit("v4", "message.received", _set("data.object.to", [])),
            "invalid_payload", "message.received", V4_MESSAGE_ID),
    Refusal("a call without participants", _edit("v4", "call.ringing", _set("data.object.participants", DELETE)),
            "invalid_payload", "call.ringing", "EV0ea54cadfbf342e6ac4ca1f22ed1700c"),
    Refusal("an unknown message status", _edit("app", "message.received", _set("data.object.status", "read")),
            "invalid_payload", "message.received", V4_MESSAGE_ID),
]  # fmt: skip


@pytest.mark.parametrize("case", REFUSALS, ids=lambda c: c.label)
def test_refusals_say_why_and_what_the_body_claimed(case: Refusal) -> None:
    with pytest.raises(Unparseable) as refused:
        parse_webhook(case.body)
    assert refused.value.reason == case.reason
    assert refused.value.event_type == case.event_type
    assert refused.value.event_id == case.event_id
    assert refused.value.detail


def test_a_refusal_names_the_field_but_never_echoes_its_value() -> None:
    body = _edit("v4", "message.received", _set("data.object.direction", "+19876543210"))
    with pytest.raises(Unparseable) as refused:
        parse_webhook(body)
    assert "direction" in refused.value.detail
    assert "9876543210" not in refused.value.detail


def test_the_parsed_payload_is_the_registry_model() -> None:
    assert isinstance(parse_webhook(sample("app", "message.received").body()).data, Message)
    assert isinstance(parse_webhook(sample("versioned", "call.completed").body()).data, Call)
    parsed = parse_webhook(sample("versioned", "call.summary.completed").body())
    assert isinstance(parsed.data, CallSummary)
    assert (
        json.loads(sample("versioned", "call.summary.completed").body())["data"]["resource"][
            "callId"
        ]
        == parsed.data.call_id
    )


# The fast parser's refusals fall back to the json module: what json.loads reads is read.
JSON_SPELLINGS = {
    "UTF-8 with a byte order mark": lambda text: b"\xef\xbb\xbf" + text.encode(),
    "UTF-16": lambda text: text.encode("utf-16"),
    "UTF-32 big-endian": lambda text: text.encode("utf-32-be"),
    "ASCII with every non-ASCII character escaped": lambda text: json.dumps(
        json.loads(text)
    ).encode(),
}


@pytest.mark.parametrize("spell", JSON_SPELLINGS.values(), ids=JSON_SPELLINGS.keys())
def test_every_json_spelling_the_json_module_reads_parses_the_same(spell) -> None:
    text = sample("v4", "message.received").body().decode()
    assert parse_webhook(spell(text)) == parse_webhook(text.encode())


def test_a_lone_surrogate_escape_is_read_as_the_json_module_reads_it() -> None:
    payload = sample("v4", "message.received").payload()
    payload["data"]["object"]["text"] = "cut emoji: \ud83d"
    parsed = parse_webhook(json.dumps(payload).encode())  # ensure_ascii: written as \ud83d
    assert parsed.data.text == "cut emoji: \ud83d"
