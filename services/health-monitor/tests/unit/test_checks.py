"""A check's states: intent → sent → passed | failed, and deadline expiry."""

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

from .builders import CHECK_ID, NOW, a_check, sent_check


def test_a_new_check_is_an_intent_with_its_id_in_the_text_and_a_deadline() -> None:
    check = a_check()
    assert check.state == "sending"
    assert check.pending
    assert check.text == f"smsbus canary {CHECK_ID}"
    assert check.deadline_at == NOW + timedelta(seconds=120)
    assert check.message_id is None


def test_a_template_without_the_check_id_is_refused() -> None:
    with pytest.raises(ValueError, match="check_id"):
        canary_text("hello", CHECK_ID)


@pytest.mark.parametrize(
    ("before", "state", "message_id"),
    [
        pytest.param(a_check(), "sent", "ACnew", id="sending becomes sent with the id"),
        pytest.param(
            a_check(send_error="timeout"), "sent", "ACnew", id="an unknown outcome resolved"
        ),
        pytest.param(
            a_check(state="passed", finished_at=NOW),
            "passed",
            "ACnew",
            id="decided before the answer: keeps its outcome, learns the id",
        ),
        pytest.param(sent_check(), "sent", "ACcanary", id="a second answer does not change the id"),
    ],
)
def test_sent(before: Check, state: str, message_id: str) -> None:
    after = sent(before, message_id="ACnew", line_number="+15555550100")
    assert (after.state, after.message_id, after.send_error) == (state, message_id, None)
    assert after.line_number == "+15555550100"


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
            a_check(started_at=NOW, send_error="read timeout"),
            DEADLINE,
            ("send", "send not confirmed (read timeout) and no webhook within 120 s"),
            id="outcome unknown to the end",
        ),
        pytest.param(
            a_check(),
            DEADLINE + timedelta(hours=1),
            ("send", "send not confirmed (no answer from OpenPhone) and no webhook within 120 s"),
            id="never sent (a crash before the POST)",
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


def test_a_refused_send_fails_at_the_send_stage_with_the_api_error() -> None:
    decision = send_refused(a_check(), reason="OpenPhone answered 400: bad from", now=NOW)
    final = decided(a_check(), decision)
    assert (final.state, final.stage, final.reason) == (
        "failed",
        "send",
        "OpenPhone answered 400: bad from",
    )


def test_a_decision_applies_only_to_its_own_check() -> None:
    other = a_check(id="another")
    with pytest.raises(ValueError, match="applied to another"):
        decided(other, send_refused(a_check(), reason="x", now=NOW))
