from datetime import timedelta

import pytest

from smsbus.compliance.domain.decisions import stale_reply
from smsbus.compliance.handlers import ids_for, inbound_sms

from ..builders import LINE, NOW, OUR_NUMBER, a_received_event

LATER, EARLIER = NOW + timedelta(seconds=1), NOW - timedelta(seconds=1)


@pytest.mark.parametrize(
    ("kind", "suppressed_at", "stale"),
    [
        ("opt_out_confirmation", LATER, False),  # the one text a suppressed number still gets
        ("opt_in_confirmation", None, False),
        ("opt_in_confirmation", LATER, True),  # STOP again before the START was confirmed
        ("help", None, False),
        ("help", EARLIER, False),  # HELP from a suppressed number is still answered
        ("help", LATER, True),  # but not once they said STOP after asking
    ],
)
def test_stale_reply(kind: str, suppressed_at, stale: bool) -> None:
    assert stale_reply(kind, NOW, suppressed_at) is stale  # type: ignore[arg-type]


def test_the_reply_goes_from_the_line_the_message_came_in_on() -> None:
    assert inbound_sms(a_received_event(), default_region="US").line == LINE
    assert inbound_sms(a_received_event(phoneNumberId=None), default_region="US").line == OUR_NUMBER


def test_ids_are_derived_from_the_fact_so_a_copy_rebuilds_the_same_decision() -> None:
    webhook = a_received_event(message_id="AC9")
    reconciled = a_received_event(message_id="AC9", source="reconciler", event_id="other")
    assert ids_for(webhook)("entry") == ids_for(reconciled)("entry")
    assert ids_for(webhook)("entry") != ids_for(webhook)("reply")
    assert ids_for(webhook)("entry") != ids_for(a_received_event(message_id="AC10"))("entry")
