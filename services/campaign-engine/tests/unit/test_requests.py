"""The send request a member's attempt becomes: the egress's fields, ids and window."""

from datetime import UTC, datetime, time
from typing import Any

import pytest

from smsbus.campaigns.dispatch.requests import send_requested
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow
from smsbus.contracts import decode_event, encode_event
from smsbus.contracts.outbound import SendRequested, SendWindow
from smsbus.runtime.testing import labelled

NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)


def campaign(**overrides: Any) -> CampaignRow:
    values: dict[str, Any] = {
        "id": "c1", "name": "spring", "status": "running", "line": "PNline1", "purpose": "marketing",
        "variants": [{"name": "A", "template": "Hi", "weight": 1.0}], "timezone": "America/New_York",
        "window_days": [0, 1, 2], "window_start": "10:00", "window_end": "17:30",
    }  # fmt: skip
    return CampaignRow(**(values | overrides))


def member() -> MemberRow:
    return MemberRow(
        id="m1", campaign_id="c1", contact_id="k1", phone="+12125550143", variant="A",
        status="sending", attempts=3,
    )  # fmt: skip


def contact(state: str | None, zip_code: str | None = None) -> ContactRow:
    return ContactRow(id="k1", phone="+12125550143", state=state, zip=zip_code)


WINDOW = SendWindow(days=[0, 1, 2], start=time(10), end=time(17, 30))
CASES = [
    ("marketing: the campaign's window, the address state", {}, "FL", "marketing", WINDOW, "FL"),
    ("lower-case state is upper-cased", {}, "fl", "marketing", WINDOW, "FL"),
    ("not a state: none", {}, "F1", "marketing", WINDOW, None),
    ("no state: none", {}, None, "marketing", WINDOW, None),
    ("transactional: no window", {"purpose": "transactional"}, "NY", "transactional", None, "NY"),
    ("a state written as its name", {}, "Florida", "marketing", WINDOW, "FL"),
    ("no state, a ZIP: the ZIP's state", {}, ("", "33101"), "marketing", WINDOW, "FL"),
    ("state and ZIP differ: the state field", {}, ("CA", "33101"), "marketing", WINDOW, "CA"),
    ("not a ZIP: none", {}, (None, "n/a"), "marketing", WINDOW, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "state", "purpose", "window", "recipient_state"), labelled(CASES)
)
def test_send_requested(
    overrides: dict[str, Any],
    state: str | tuple[str | None, str] | None,
    purpose: str,
    window: SendWindow | None,
    recipient_state: str | None,
) -> None:
    envelope = send_requested(
        member=member(),
        campaign=campaign(**overrides),
        contact=contact(*state) if isinstance(state, tuple) else contact(state),
        text="Hi there",
        attempt=3,
        now=NOW,
    )
    assert (envelope.type, envelope.event_id, envelope.dedupe_key) == (
        "send.requested", "campaign-engine-send.requested-m1:3", "send.requested:m1:3",
    )  # fmt: skip
    assert (envelope.source, envelope.correlation_id, envelope.occurred_at) == (
        "campaign-engine",
        "c1",
        NOW,
    )
    assert envelope.data == SendRequested(
        request_id="m1:3", purpose=purpose, requester="campaign-engine", to="+12125550143", line="PNline1",
        text="Hi there", campaign_id="c1", member_id="m1", window=window, recipient_state=recipient_state,
        requested_at=NOW, expires_at=None,
    )  # fmt: skip
    assert decode_event(encode_event(envelope)) == envelope  # what the egress will read


def test_no_contact_no_state() -> None:
    envelope = send_requested(
        member=member(), campaign=campaign(), contact=None, text="x", attempt=1, now=NOW
    )
    assert envelope.data.recipient_state is None
    assert envelope.data.request_id == "m1:1"
