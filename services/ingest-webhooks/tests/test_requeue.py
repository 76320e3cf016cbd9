"""requeue(): a quarantined body becomes the record ingest would publish today, or says why not."""

from datetime import UTC, datetime

from smsbus.ingest.envelope import rejected_envelope, webhook_envelope
from smsbus.ingest.parsing import parse_webhook
from smsbus.ingest.requeue import StillRejected, requeue
from smsbus.ingest.testing import sample
from smsbus.openphone.signing import Scheme
from smsbus.runtime.kafka import outgoing

RECEIVED = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def quarantined(body: bytes):
    return rejected_envelope(
        body=body,
        reason="invalid_payload",
        detail="refused by the parser of the day",
        event_type="message.received",
        event_id=None,
        headers={},
        scheme=Scheme.OPENPHONE,
        received_at=RECEIVED,
    )


def test_a_body_that_parses_now_becomes_the_record_ingest_publishes() -> None:
    body = sample("v4", "message.received").body()
    expected = outgoing(webhook_envelope(parse_webhook(body), recorded_at=RECEIVED))
    assert requeue(quarantined(body)) == expected


def test_topics_are_renamed_as_ingest_renames_them() -> None:
    body = sample("v4", "message.received").body()
    record = requeue(quarantined(body), topics={"openphone.messages.v1": "side.messages"})
    assert not isinstance(record, StillRejected)
    assert record.topic == "side.messages"


def test_a_body_that_still_does_not_parse_says_why() -> None:
    assert requeue(quarantined(b'{"id":')).reason == "malformed_json"  # type: ignore[union-attr]
    not_utf8 = requeue(quarantined(b"\xff\xfe\x00"))  # kept as base64 in the rejected record
    assert isinstance(not_utf8, StillRejected)
    assert not_utf8.reason == "malformed_json"
