"""The worst-case time to alert for a schedule (the defaults' is measured end to end in
tests/integration/test_detection.py)."""

from datetime import timedelta

import pytest

from smsbus.health.domain.detection import worst_case_detection
from smsbus.health.settings import Settings


@pytest.mark.parametrize(
    ("interval", "timeout", "failures", "worst"),
    [
        pytest.param(300, 120, 2, 720, id="the old defaults: 12 minutes"),
        pytest.param(90, 60, 2, 240, id="the defaults: 4 minutes"),
        pytest.param(90, 60, 1, 150, id="alerting on the first failure"),
        pytest.param(60, 120, 2, 300, id="a deadline past the interval spaces the checks"),
        pytest.param(60, 45, 3, 225, id="three failures"),
    ],
)
def test_worst_case(interval: int, timeout: int, failures: int, worst: int) -> None:
    found = worst_case_detection(
        interval=timedelta(seconds=interval),
        timeout=timedelta(seconds=timeout),
        failures_before_alert=failures,
    )
    assert found == timedelta(seconds=worst)


def test_the_defaults_alert_within_five_minutes() -> None:
    defaults = Settings()
    worst = worst_case_detection(
        interval=timedelta(seconds=defaults.interval_seconds),
        timeout=timedelta(seconds=defaults.timeout_seconds),
        failures_before_alert=defaults.failures_before_alert,
    )
    assert worst <= timedelta(minutes=5)
    assert defaults.failures_before_alert >= 2, "one late webhook must not alert"
