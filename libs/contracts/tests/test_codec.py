import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from smsbus.contracts import (
    EVENT_TYPES,
    Message,
    UnknownEventType,
    WebhookRejected,
    decode_event,
    encode_event,
    route_for,
)

TESTDATA = Path(__file__).parents[1] / "testdata"


def a_sample(event_type: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((TESTDATA / f"{event_type}.json").read_text())
    return loaded


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_sample_round_trips(event_type: str) -> None:
    raw = (TESTDATA / f"{event_type}.json").read_bytes()

    decoded = decode_event(raw)
    encoded = encode_event(decoded)

    assert decoded.type == event_type
    assert isinstance(decoded.data, route_for(event_type).model)
    assert decode_event(encoded) == decoded
    assert decode_event(encoded.decode()) == decoded
    assert decode_event(json.loads(encoded)) == decoded
    assert b" " not in encoded.split(b'"data"')[0], "envelope JSON is not compact"


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_sample_keeps_every_provider_field(event_type: str) -> None:
    sample = a_sample(event_type)

    reencoded = json.loads(encode_event(decode_event(sample)))

    assert reencoded["data"].keys() >= sample["data"].keys()


def test_unknown_provider_fields_are_kept_at_every_level() -> None:
    sample = a_sample("message.received")
    sample["data"]["createdBy"] = None
    sample["data"]["segments"] = {"count": 2, "encoding": "GSM-7"}
    sample["data"]["media"][0]["sizeBytes"] = 48213

    decoded = decode_event(sample)
    reencoded = json.loads(encode_event(decoded))

    assert isinstance(decoded.data, Message)
    assert decoded.data.model_extra == {
        "createdBy": None,
        "segments": {"count": 2, "encoding": "GSM-7"},
    }
    assert reencoded["data"]["segments"] == {"count": 2, "encoding": "GSM-7"}
    assert reencoded["data"]["media"][0]["sizeBytes"] == 48213


def test_provider_fields_are_camel_case_on_the_wire_and_snake_case_in_python() -> None:
    decoded = decode_event(a_sample("message.received"))
    wire = json.loads(encode_event(decoded))["data"]

    assert decoded.data.from_ == "+19876543210"
    assert decoded.data.phone_number_id == "PNtoDbDhuz"
    assert wire["from"] == "+19876543210"
    assert wire["phoneNumberId"] == "PNtoDbDhuz"
    assert "from_" not in wire


def test_own_events_reject_unknown_fields() -> None:
    sample = a_sample("webhook.rejected")
    sample["data"]["retry"] = True

    with pytest.raises(ValidationError, match="retry"):
        decode_event(sample)


def test_envelope_rejects_unknown_fields() -> None:
    sample = a_sample("message.received")
    sample["partition"] = 3

    with pytest.raises(ValidationError, match="partition"):
        decode_event(sample)


@pytest.mark.parametrize(
    ("event_type", "field"), [("webhook.rejected", "reason"), ("message.received", "text")]
)
def test_events_and_envelopes_are_frozen(event_type: str, field: str) -> None:
    decoded = decode_event(a_sample(event_type))

    with pytest.raises(ValidationError, match="frozen"):
        decoded.source = "someone-else"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        setattr(decoded.data, field, "changed")


def test_webhook_rejected_carries_a_non_utf8_body_as_base64() -> None:
    sample = a_sample("webhook.rejected")
    sample["data"] |= {"body": "/9j/4AAQSkZJRg==", "body_encoding": "base64"}

    decoded = decode_event(sample)

    assert isinstance(decoded.data, WebhookRejected)
    assert decoded.data.body_encoding == "base64"


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        pytest.param(lambda s: s.update(type="message.sent"), UnknownEventType, id="unknown type"),
        pytest.param(lambda s: s.pop("type"), ValidationError, id="no type"),
        pytest.param(lambda s: s.update(type="call.ringing"), ValidationError, id="other model"),
        pytest.param(
            lambda s: s.update(occurred_at="2025-04-14T15:02:10"), ValidationError, id="naive time"
        ),
        pytest.param(
            lambda s: s["data"].update(status="sending"), ValidationError, id="unknown status"
        ),
        pytest.param(lambda s: s["data"].update(to=[]), ValidationError, id="no recipient"),
        pytest.param(lambda s: s["data"].pop("direction"), ValidationError, id="no direction"),
    ],
)
def test_decode_rejects_bad_input(mutate: Any, error: type[Exception]) -> None:
    sample = a_sample("message.received")
    mutate(sample)

    with pytest.raises(error):
        decode_event(json.dumps(sample))


@pytest.mark.parametrize("raw", [b"{not json", b"[]", "", b"\xff\xfe"])
def test_decode_rejects_what_is_not_an_envelope(raw: bytes | str) -> None:
    with pytest.raises(ValidationError):
        decode_event(raw)
