"""Which incoming event decides which pending check: a table of labelled cases."""

from dataclasses import replace
from datetime import timedelta

import pytest

from smsbus.health.domain.checks import Check
from smsbus.health.domain.matching import Observed, match, may_concern_canary

from .builders import CANARY, CHECK_ID, LINE, NOW, a_check, an_event, sent_check

LATER = NOW + timedelta(seconds=5)
UNKNOWN = a_check()  # requested; the egress's result not in yet, no id
OWN_LINE_CHECK = replace(sent_check(), line_number=LINE)

CASES = [
    # (label, check, event, expected outcome or None, expected reason)
    ("delivered, same id", sent_check(), an_event(), "passed", None),
    ("delivered, another message", sent_check(), an_event(message_id="ACother"), None, None),
    (
        "delivered, id not known yet, text has the check id",
        UNKNOWN,
        an_event(message_id="ACnew"),
        "passed",
        None,
    ),
    (
        "delivered, id not known yet, text without the check id",
        UNKNOWN,
        an_event(text="hello"),
        None,
        None,
    ),
    (
        "delivered before the egress's result (another topic: a race)",
        a_check(),
        an_event(),
        "passed",
        None,
    ),
    ("delivered to another number", sent_check(), an_event(to=("+15555550111",)), None, None),
    (
        "received on our canary line sent from a PN id (any sender with the id)",
        sent_check(),
        an_event("message.received", message_id="ACin", direction="incoming", from_="+15555550142"),
        "passed",
        None,
    ),
    (
        "undelivered",
        sent_check(),
        an_event("message.undelivered", status="undelivered"),
        "failed",
        "OpenPhone reported the canary undelivered (message.undelivered)",
    ),
    (
        "failed",
        sent_check(),
        an_event("message.failed", status="failed"),
        "failed",
        "OpenPhone reported the canary failed (message.failed)",
    ),
    (
        "undelivered, another message",
        sent_check(),
        an_event("message.undelivered", message_id="ACx", status="undelivered"),
        None,
        None,
    ),
    (
        "received on our canary line, text has the id",
        OWN_LINE_CHECK,
        an_event("message.received", message_id="ACin", direction="incoming", status="received"),
        "passed",
        None,
    ),
    (
        "received from someone else with the id",
        OWN_LINE_CHECK,
        an_event("message.received", message_id="ACin", direction="incoming", from_="+15555550142"),
        None,
        None,
    ),
    (
        "received without the id",
        OWN_LINE_CHECK,
        an_event("message.received", direction="incoming", text="hi"),
        None,
        None,
    ),
    ("an outgoing event typed received", OWN_LINE_CHECK, an_event("message.received"), None, None),
    ("an incoming event typed delivered", sent_check(), an_event(direction="incoming"), None, None),
    (
        "a duplicate for a passed check",
        replace(sent_check(), state="passed"),
        an_event(),
        None,
        None,
    ),
    (
        "a late event for a failed check",
        replace(sent_check(), state="failed"),
        an_event(),
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("check", "event", "outcome", "reason"),
    [pytest.param(c, e, o, r, id=label) for label, c, e, o, r in CASES],
)
def test_match(check: Check, event: Observed, outcome: str | None, reason: str | None) -> None:
    decision = match(check, event, now=LATER)
    if outcome is None:
        assert decision is None
        return
    assert decision is not None
    assert (decision.check_id, decision.outcome, decision.reason) == (CHECK_ID, outcome, reason)
    assert decision.event_type == event.event_type
    assert decision.finished_at == LATER
    if outcome == "failed":
        assert decision.stage == "send"
    else:
        assert decision.round_trip_seconds is not None
        assert decision.round_trip_seconds > 0


@pytest.mark.parametrize(
    ("event_type", "to", "expected"),
    [
        pytest.param("message.delivered", [CANARY], True, id="delivered to the canary"),
        pytest.param("message.received", [CANARY], True, id="received on the canary line"),
        pytest.param("message.undelivered", [CANARY, "+15555550111"], True, id="group with it"),
        pytest.param("message.delivered", ["+15555550111"], False, id="ordinary traffic"),
        pytest.param("call.completed", [CANARY], False, id="not a message event"),
    ],
)
def test_the_cheap_filter(event_type: str, to: list[str], expected: bool) -> None:
    assert may_concern_canary(event_type, to, CANARY) is expected
