"""A check's states: requested → sent → passed | failed, and deadline expiry."""

from dataclasses import replace
from datetime import timedelta

import pytest

from smsbus.health.domain.checks import (
    Check,
    canary_text,
    decided,
    expire,
    passed,
    send_refused,
    sent,
)

from .builders import CHECK_ID, LINE, NOW, a_check, sent_check


def test_a_new_check_is_requested_now_with_its_id_in_the_text_and_a_deadline() -> None:
    check = a_check()
    assert check.state == "sending"
    assert check.pending
    assert check.text == f"smsbus canary {CHECK_ID}"
    assert check.started_at == NOW
    assert check.deadline_at == NOW + timedelta(seconds=120)
    assert check.message_id is None


def test_a_template_without_the_check_id_is_refused() -> None:
    with pytest.raises(ValueError, match="check_id"):
        canary_text("hello", CHECK_ID)


@pytest.mark.parametrize(
    ("before", "line", "message_id", "line_number"),
    [
        pytest.param(a_check(), LINE, "ACnew", LINE, id="sending becomes sent with the id"),
        pytest.param(
            a_check(), "PNabc123", "ACnew", None, id="sent from a PN id: no number to match"
        ),
        pytest.param(
            sent_check(), LINE, "ACcanary", LINE, id="a second answer does not change the id"
        ),
    ],
)
def test_sent(before: Check, line: str, message_id: str, line_number: str | None) -> None:
    after = sent(before, message_id="ACnew", line=line)
    assert (after.state, after.message_id, after.line_number) == ("sent", message_id, line_number)


def test_a_decided_check_is_not_sent_again() -> None:
    with pytest.raises(ValueError, match="already passed"):
        sent(a_check(state="passed", finished_at=NOW), message_id="ACnew", line=LINE)


DEADLINE = NOW + timedelta(seconds=120)


@pytest.mark.parametrize(
    ("check", "now", "expected"),
    [
        pytest.param(sent_check(), DEADLINE - timedelta(seconds=1), None, id="before the deadline"),
        pytest.param(
            sent_check(),
            DEADLINE,
            ("webhook", "no delivery webhook for ACcanary within 120 s"),
            id="sent, nothing came back",
        ),
        pytest.param(
            a_check(),
            DEADLINE,
            ("send", "no send result from the egress and no webhook within 120 s"),
            id="the egress never answered",
        ),
        pytest.param(
            a_check(),
            DEADLINE + timedelta(hours=1),
            ("send", "no send result from the egress and no webhook within 120 s"),
            id="decided late (the monitor was down)",
        ),
        pytest.param(replace(sent_check(), state="passed"), DEADLINE, None, id="already decided"),
    ],
)
def test_expire(check: Check, now: object, expected: tuple[str, str] | None) -> None:
    decision = expire(check, now=now)  # type: ignore[arg-type]
    if expected is None:
        assert decision is None
        return
    assert decision is not None
    assert (decision.outcome, decision.stage, decision.reason) == ("failed", *expected)
    assert decision.finished_at == now


def test_a_pass_measures_the_round_trip_from_the_send_request() -> None:
    check = sent_check()
    decision = passed(
        check, event_type="message.delivered", message_id="ACcanary", now=NOW + timedelta(seconds=4)
    )
    assert decision.round_trip_seconds == 3.0
    final = decided(check, decision)
    assert (final.state, final.event_type, final.finished_at) == (
        "passed",
        "message.delivered",
        NOW + timedelta(seconds=4),
    )
    assert not final.pending


@pytest.mark.parametrize(
    ("event_type", "reason"),
    [
        pytest.param("send.refused", "opted_out", id="refused by the gate"),
        pytest.param("send.deferred", "openphone_payment_required", id="the account cannot send"),
        pytest.param("send.failed", "OpenPhone answered 400: bad from", id="OpenPhone refused"),
    ],
)
def test_a_send_not_made_fails_at_the_send_stage_with_the_egress_reason(
    event_type: str, reason: str
) -> None:
    decision = send_refused(a_check(), reason=reason, now=NOW, event_type=event_type)
    final = decided(a_check(), decision)
    assert (final.state, final.stage, final.reason) == ("failed", "send", reason)
    assert (final.event_type, final.message_id, final.finished_at) == (event_type, None, NOW)


def test_a_decision_applies_only_to_its_own_check() -> None:
    other = a_check(id="another")
    with pytest.raises(ValueError, match="applied to another"):
        decided(other, send_refused(a_check(), reason="x", now=NOW))
