"""The overall status from recent results, and when it alerts."""

from datetime import timedelta

import pytest

from smsbus.health.domain.alerts import alert_body, transition
from smsbus.health.domain.checks import Decision, decided
from smsbus.health.domain.status import Health, Summary, status_of

from .builders import CHECK_ID, NOW, sent_check


def _decision(outcome: str, n: int) -> Decision:
    at = NOW + timedelta(minutes=5 * n)
    if outcome == "P":
        return Decision(CHECK_ID, "passed", at, "ACcanary", "message.delivered", 2.5)
    return Decision(CHECK_ID, "failed", at, "ACcanary", stage="webhook", reason="no webhook")


def _summary(history: str) -> Summary:
    summary = Summary()
    for n, outcome in enumerate(history):
        summary = summary.after(_decision(outcome, n))
    return summary


# P: passed, F: failed; oldest first; threshold 2.
@pytest.mark.parametrize(
    ("history", "health", "failures"),
    [
        pytest.param("", "unknown", 0, id="nothing decided yet"),
        pytest.param("F", "unknown", 1, id="one failure, never passed"),
        pytest.param("FF", "failing", 2, id="threshold reached from the start"),
        pytest.param("P", "healthy", 0, id="one pass"),
        pytest.param("PF", "healthy", 1, id="one failure after a pass"),
        pytest.param("PFF", "failing", 2, id="two in a row"),
        pytest.param("PFFF", "failing", 3, id="still failing"),
        pytest.param("PFFP", "healthy", 0, id="recovered"),
        pytest.param("FPF", "healthy", 1, id="a pass resets the count"),
    ],
)
def test_status(history: str, health: Health, failures: int) -> None:
    summary = _summary(history)
    assert status_of(summary, failures_before_alert=2) == health
    assert summary.consecutive_failures == failures
    assert summary.decided == len(history)
    if "P" in history:
        assert summary.last_success_at == NOW + timedelta(minutes=5 * history.rindex("P"))
    else:
        assert summary.last_success_at is None


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        pytest.param("healthy", "failing", "alert", id="healthy to failing alerts"),
        pytest.param("unknown", "failing", "alert", id="broken since start alerts too"),
        pytest.param("failing", "healthy", "recovered", id="recovery"),
        pytest.param("failing", "failing", None, id="still failing: once is enough"),
        pytest.param("healthy", "healthy", None, id="still healthy"),
        pytest.param("unknown", "healthy", None, id="first pass"),
        pytest.param("unknown", "unknown", None, id="no evidence yet"),
    ],
)
def test_transition(before: Health, after: Health, kind: str | None) -> None:
    assert transition(before, after) == kind


def test_an_alert_says_what_failed_without_phone_numbers() -> None:
    check = decided(sent_check(), _decision("F", 2))
    body = alert_body("alert", check=check, summary=_summary("PFF"), health="failing", now=NOW)
    assert body["status"] == "failing"
    assert body["kind"] == "alert"
    assert body["consecutive_failures"] == 2
    assert body["last_success_at"] == NOW.isoformat()
    assert body["check"]["id"] == CHECK_ID
    assert body["check"]["stage"] == "webhook"
    assert body["text"] == body["summary"]
    assert "2 canary checks in a row failed" in body["summary"]
    assert "+1555" not in str(body)


def test_a_recovery_says_how_long_the_canary_took() -> None:
    check = decided(sent_check(), _decision("P", 3))
    body = alert_body("recovered", check=check, summary=_summary("PFFP"), health="healthy", now=NOW)
    assert body["status"] == "healthy"
    assert body["summary"] == "smsbus pipeline RECOVERED: the canary came back in 2.5 s"
    assert body["consecutive_failures"] == 0
