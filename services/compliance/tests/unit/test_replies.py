from smsbus.compliance.handlers import ids_for, inbound_sms

from ..builders import LINE, OUR_NUMBER, a_received_event


def test_the_reply_goes_from_the_line_the_message_came_in_on() -> None:
    assert inbound_sms(a_received_event(), default_region="US").line == LINE
    assert inbound_sms(a_received_event(phoneNumberId=None), default_region="US").line == OUR_NUMBER


def test_ids_are_derived_from_the_fact_so_a_copy_rebuilds_the_same_decision() -> None:
    webhook = a_received_event(message_id="AC9")
    reconciled = a_received_event(message_id="AC9", source="reconciler", event_id="other")
    assert ids_for(webhook)("entry") == ids_for(reconciled)("entry")
    assert ids_for(webhook)("entry") != ids_for(webhook)("reply")
    assert ids_for(webhook)("entry") != ids_for(a_received_event(message_id="AC10"))("entry")
