"""Bad inputs, one labelled row each, through the real app and a real broker.

Each row says what to send, the answer (status and JSON), and what must be on the topics
afterwards: exactly one record on `published` (the rejected topic included), nothing anywhere else.
"""

import base64
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from smsbus.contracts import decode_event, partition_key
from smsbus.ingest.envelope import encodable
from smsbus.ingest.testing import compact, sample

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
MESSAGES, CALLS, REJECTED = "openphone.messages.v1", "openphone.calls.v1", "ingest.rejected.v1"
V4_MESSAGE = sample("v4", "message.received").body()
VERSIONED_CALL = sample("versioned", "call.completed").body()


def _v4_message(**changes: Any) -> bytes:
    payload = sample("v4", "message.received").payload()
    payload.update(changes)
    return compact(payload)


def _v4_message_object(**changes: Any) -> bytes:
    payload = sample("v4", "message.received").payload()
    payload["data"]["object"].update(changes)
    payload["data"]["object"] = {
        k: v for k, v in payload["data"]["object"].items() if v is not DROP
    }
    return compact(payload)


DROP = object()
# JSON may escape half of a surrogate pair (a text cut inside an emoji): valid JSON, but no
# UTF-8 can carry it, so the event cannot be written as it came.
LONE_SURROGATE_TEXT = _v4_message_object(text="cut emoji: LONE").replace(b"LONE", b"\\ud83d")
LONE_SURROGATE_TYPE = _v4_message(type="LONE").replace(b"LONE", b"message.\\ud83d")
OVERSIZED = _v4_message_object(text="x" * MIB)
# A big real webhook: a long call's transcript, half the size limit.
LARGE_TRANSCRIPT = sample("v4", "call.transcript.completed").payload()
LARGE_TRANSCRIPT["data"]["object"]["dialogue"] *= 2000


@dataclass(frozen=True)
class Case:
    label: str
    body: bytes
    status: int
    answer: dict[str, Any]
    published: str | None = None
    """The registry topic that must hold exactly one record; None: no topic holds anything."""
    sign: dict[str, Any] | None = field(default_factory=dict)
    """How the harness signs `body` (key, age, content_type); None: not signed at all."""
    headers: dict[str, str] = field(default_factory=dict)
    """Sent on top of (or instead of) the signature headers."""
    send: bytes | None = None
    """Sent instead of `body`, after `body` was signed (tampering)."""
    chunked: bool = False
    """Streamed without a Content-Length."""
    reason: str | None = None
    """For quarantined rows: the reason on the WebhookRejected event."""


def _refused(reason: str) -> dict[str, Any]:
    return {"error": "invalid_signature", "reason": reason}


def _quarantined(reason: str) -> dict[str, Any]:
    return {"quarantined": True, "reason": reason}


CASES = [
    # Controls: the same harness accepts what it should.
    Case("control: a signed v4 webhook", V4_MESSAGE, 202,
         {"event_id": "EVc67ec998b35c41d388af50799aeeba3e", "dedupe_key": "message.received:AC24a8b8321c4f4cf2be110f4250793d51"},
         published=MESSAGES),
    Case("control: a 2026-03-30 webhook with Standard Webhooks headers", VERSIONED_CALL, 202,
         {"event_id": "EV1fb6c2d3e4f5a6b7c8d9e0f1a2b3c4d5"}, published=CALLS, sign={"key": "standard"}),
    Case("key rotation: signed with the second configured key", V4_MESSAGE, 202,
         {"event_id": "EVc67ec998b35c41d388af50799aeeba3e"}, published=MESSAGES, sign={"key": "rotated"}),
    Case("a signature 4 minutes old is within tolerance", V4_MESSAGE, 202, {}, published=MESSAGES, sign={"age": 240}),
    Case("a long transcript (half a MiB) is accepted", compact(LARGE_TRANSCRIPT), 202,
         {"dedupe_key": "call.transcript.completed:ACb2c3d4e5f6a7480b9c0d1e2f3a4b5c6d"}, published=CALLS),
    # Not authentic: 401, nothing stored.
    Case("no signature header", V4_MESSAGE, 401, _refused("missing_signature"), sign=None,
         headers={"content-type": "application/json"}),
    Case("wrong key", V4_MESSAGE, 401, _refused("signature_mismatch"), sign={"key": "unknown"}),
    Case("tampered body", V4_MESSAGE, 401, _refused("signature_mismatch"),
         send=V4_MESSAGE.replace(b"Can you quote", b"Please call me")),
    Case("stale timestamp (6 minutes old)", V4_MESSAGE, 401, _refused("stale_timestamp"), sign={"age": 360}),
    Case("timestamp 6 minutes in the future", V4_MESSAGE, 401, _refused("stale_timestamp"), sign={"age": -360}),
    Case("stale Standard Webhooks timestamp", VERSIONED_CALL, 401, _refused("stale_timestamp"),
         sign={"key": "standard", "age": 3600}),
    Case("malformed openphone-signature header", V4_MESSAGE, 401, _refused("malformed_signature"), sign=None,
         headers={"openphone-signature": "hmac;1;not-a-timestamp;abc="}),
    Case("Standard Webhooks signature without webhook-id", VERSIONED_CALL, 401, _refused("malformed_signature"),
         sign=None, headers={"webhook-signature": "v1,abc=", "webhook-timestamp": "1744650000"}),
    Case("empty body, unsigned", b"", 401, _refused("missing_signature"), sign=None),
    # Too large: 413 before anything is read or verified.
    Case("oversized body (Content-Length over 1 MiB)", OVERSIZED, 413, {"error": "body_too_large"}),
    Case("oversized body streamed without a Content-Length", OVERSIZED, 413, {"error": "body_too_large"},
         chunked=True),
    Case("oversized body, unsigned", OVERSIZED, 413, {"error": "body_too_large"}, sign=None),
    # Authentic but not a contract: kept whole on ingest.rejected.v1, answered 202.
    Case("empty body, signed", b"", 202, _quarantined("malformed_json"), published=REJECTED, reason="malformed_json"),
    Case("invalid JSON", b'{"id":"EV1","type":', 202, _quarantined("malformed_json"), published=REJECTED,
         reason="malformed_json"),
    Case("a body that is not UTF-8", b"\xff\xfe\x00\x01", 202, _quarantined("malformed_json"), published=REJECTED,
         reason="malformed_json"),
    Case("JSON that is not an object", b'[{"type":"message.received"}]', 202, _quarantined("invalid_payload"),
         published=REJECTED, reason="invalid_payload"),
    Case("unknown event type", _v4_message(type="message.scheduled"), 202, _quarantined("unknown_event_type"),
         published=REJECTED, reason="unknown_event_type"),
    Case("a body claiming our own webhook.rejected type", _v4_message(type="webhook.rejected"), 202,
         _quarantined("unknown_event_type"), published=REJECTED, reason="unknown_event_type"),
    Case("unsupported apiVersion", _v4_message(apiVersion="v9"), 202, _quarantined("unsupported_api_version"),
         published=REJECTED, reason="unsupported_api_version"),
    Case("missing data.object", _v4_message(data={}), 202, _quarantined("invalid_payload"), published=REJECTED,
         reason="invalid_payload"),
    Case("a message without an id", _v4_message_object(id=DROP), 202, _quarantined("invalid_payload"),
         published=REJECTED, reason="invalid_payload"),
    Case("a lone surrogate escape in the text", LONE_SURROGATE_TEXT, 202, _quarantined("invalid_payload"),
         published=REJECTED, reason="invalid_payload"),
    Case("a lone surrogate escape in the event type", LONE_SURROGATE_TYPE, 202, _quarantined("unknown_event_type"),
         published=REJECTED, reason="unknown_event_type"),
    # The content type is not signed, so it decides nothing: the bytes are judged.
    Case("wrong content type (text/plain) on a signed JSON webhook", V4_MESSAGE, 202,
         {"event_id": "EVc67ec998b35c41d388af50799aeeba3e"}, published=MESSAGES, sign={"content_type": "text/plain"}),
    Case("wrong content type with a form body", b"type=message.received&id=EV1", 202, _quarantined("malformed_json"),
         published=REJECTED, sign={"content_type": "application/x-www-form-urlencoded"}, reason="malformed_json"),
    Case("wrong content type, unsigned", V4_MESSAGE, 401, _refused("missing_signature"), sign=None,
         headers={"content-type": "text/plain"}),
]  # fmt: skip


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 64 * 1024):
        yield body[start : start + 64 * 1024]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
async def test_bad_input(ingest, case: Case) -> None:
    headers = {} if case.sign is None else ingest.sign(case.body, **case.sign)
    headers |= case.headers
    sent = case.body if case.send is None else case.send
    content = _chunks(sent) if case.chunked else sent
    response = await ingest.client.post("/webhooks/openphone", content=content, headers=headers)

    assert response.status_code == case.status, response.text
    answer = response.json()
    assert answer | case.answer == answer
    if case.status == 202 and case.published != REJECTED:
        assert answer["topic"] == ingest.topics[case.published]

    published = await ingest.published()
    assert {topic: len(records) for topic, records in published.items() if records} == (
        {case.published: 1} if case.published else {}
    )
    if case.published is None:
        return
    (record,) = published[case.published]
    event = decode_event(record.value)
    assert record.key == partition_key(event).encode()
    assert dict(record.headers)["event-id"] == event.event_id.encode()
    if case.published == REJECTED:
        _assert_kept_whole(event.data, sent, headers, case.reason)
    else:
        assert (event.event_id, event.dedupe_key) == (answer["event_id"], answer["dedupe_key"])
        assert event.source == "openphone.webhook"


def _assert_kept_whole(rejected, sent: bytes, headers: dict[str, str], reason: str | None) -> None:
    assert rejected.reason == reason
    assert rejected.reason_detail
    body = (
        base64.b64decode(rejected.body)
        if rejected.body_encoding == "base64"
        else rejected.body.encode()
    )
    assert body == sent
    for name, value in headers.items():
        assert rejected.headers[name.lower()] == value
    claimed = None
    with contextlib.suppress(ValueError, AttributeError):
        claimed = json.loads(sent).get("type")
    # What UTF-8 cannot carry of the claim (a lone surrogate) is kept as "?"; the body is whole.
    assert rejected.event_type == (encodable(claimed) if isinstance(claimed, str) else claimed)
