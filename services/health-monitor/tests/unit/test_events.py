"""The canary's send request to compliance's egress: what it asks for, keyed and named how."""

from datetime import timedelta

from smsbus.contracts import decode_event, encode_event, partition_key
from smsbus.contracts.outbound import SendRequested
from smsbus.health.events import request_envelope

from .builders import CANARY, CHECK_ID, LINE, NOW, a_check


def test_the_request_is_the_check_expiring_at_its_deadline() -> None:
    envelope = request_envelope(a_check())
    request = envelope.data
    assert isinstance(request, SendRequested)
    assert (request.request_id, request.purpose, request.requester) == (
        CHECK_ID,
        "canary",
        "health-monitor",
    )
    assert (request.to, request.line, request.text) == (CANARY, LINE, f"smsbus canary {CHECK_ID}")
    assert (request.requested_at, request.expires_at) == (NOW, NOW + timedelta(seconds=120))
    assert request.campaign_id is None
    assert request.window is None


def test_the_envelope_is_deterministic_and_keyed_by_the_canary_number() -> None:
    envelope = request_envelope(a_check())
    assert envelope.type == "send.requested"
    assert envelope.event_id == f"health-monitor-send.requested-{CHECK_ID}"
    assert envelope.dedupe_key == f"send.requested:{CHECK_ID}"
    assert (envelope.source, envelope.correlation_id) == ("health-monitor", CHECK_ID)
    assert (envelope.occurred_at, envelope.recorded_at) == (NOW, NOW)
    assert partition_key(envelope) == CANARY
    assert decode_event(encode_event(envelope)) == envelope
