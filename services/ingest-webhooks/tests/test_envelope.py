"""The pure envelope builders: ids, dedupe keys, the rejected body kept whole."""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from smsbus.contracts import decode_event, encode_event
from smsbus.ingest.envelope import rejected_envelope, rejected_event_id, webhook_envelope
from smsbus.ingest.parsing import parse_webhook
from smsbus.ingest.testing import sample
from smsbus.openphone.signing import Scheme

RECORDED = datetime(2025, 4, 14, 17, 0, 0, 250000, tzinfo=UTC)


@dataclass(frozen=True)
class Expected:
    event_type: str
    event_id: str
    dedupe_key: str


CASES = [
    Expected("message.received", "EVc67ec998b35c41d388af50799aeeba3e", "message.received:AC24a8b8321c4f4cf2be110f4250793d51"),
    Expected("message.delivered", "EV3b1d6f0e2a9c4b7d8e5f60718293a4b5", "message.delivered:AC7f3e2d1c0b9a48e7b6c5d4e3f2a1b0c9"),
    Expected("call.completed", "EV1fb6c2d3e4f5a6b7c8d9e0f1a2b3c4d5", "call.completed:ACsXlF0a9b8c7d6e5f4a3b2c1d0e9f8a7"),
    Expected("call.summary.completed", "EV3b8d4e5f6a7b8c9d0e1f2a3b4c5d6e7f", "call.summary.completed:ACb2c3d4e5f6a7480b9c0d1e2f3a4b5c6d"),
    Expected("call.transcript.completed", "EV4c9e5f6a7b8c9d0e1f2a3b4c5d6e7f8a", "call.transcript.completed:ACb2c3d4e5f6a7480b9c0d1e2f3a4b5c6d"),
    Expected("contact.deleted", "EVf2dc1c0da7b45b34a0d9deae1196974c", "contact.deleted:CT6599a0c1d2e3f4a5b6c7d8e9"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.event_type)
def test_the_dedupe_key_is_type_and_object_id(case: Expected) -> None:
    envelope = webhook_envelope(
        parse_webhook(sample("v4", case.event_type).body()), recorded_at=RECORDED
    )
    assert (envelope.type, envelope.event_id, envelope.dedupe_key) == (
        case.event_type,
        case.event_id,
        case.dedupe_key,
    )
    assert envelope.source == "openphone.webhook"
    assert envelope.correlation_id == case.event_id  # a webhook starts its causal chain
    assert envelope.recorded_at == RECORDED
    assert envelope.occurred_at == datetime.fromisoformat(
        sample("v4", case.event_type).payload()["createdAt"]
    )
    assert decode_event(encode_event(envelope)) == envelope


def _rejected(body: bytes, **overrides):
    arguments = {
        "body": body,
        "reason": "malformed_json",
        "detail": "the body is not JSON",
        "event_type": None,
        "event_id": None,
        "headers": {
            "Content-Type": "text/plain",
            "Authorization": "secret",
            "openphone-signature": "hmac;1;2;x",
        },
        "scheme": Scheme.OPENPHONE,
        "received_at": RECORDED,
    } | overrides
    return rejected_envelope(**arguments)


def test_a_rejected_body_is_kept_as_text_with_the_request_headers() -> None:
    envelope = _rejected(b'{"id": ')
    assert envelope.type == "webhook.rejected"
    assert envelope.data.body == '{"id": '
    assert envelope.data.body_encoding == "utf-8"
    assert envelope.data.headers == {
        "content-type": "text/plain",
        "authorization": "[redacted]",
        "openphone-signature": "hmac;1;2;x",
    }
    assert envelope.data.signature_scheme == "openphone-signature"
    assert envelope.occurred_at == envelope.recorded_at == envelope.data.received_at == RECORDED


def test_a_body_that_is_not_utf8_is_kept_as_base64() -> None:
    envelope = _rejected(b"\xff\xfe\x00binary")
    assert envelope.data.body_encoding == "base64"
    assert base64.b64decode(envelope.data.body) == b"\xff\xfe\x00binary"


def test_a_rejected_event_keeps_openphones_event_id_when_the_body_had_one() -> None:
    envelope = _rejected(
        b"{}", event_id="EV42", event_type="message.scheduled", reason="unknown_event_type"
    )
    assert (envelope.event_id, envelope.dedupe_key) == ("EV42", "webhook.rejected:EV42")
    assert envelope.data.event_type == "message.scheduled"


def test_a_body_without_an_id_gets_one_from_its_digest_the_same_on_every_delivery() -> None:
    first, again, other = _rejected(b"not json"), _rejected(b"not json"), _rejected(b"not json!")
    assert first.event_id == again.event_id == rejected_event_id(b"not json")
    assert first.dedupe_key == again.dedupe_key
    assert other.event_id != first.event_id
