"""The settings' local defaults (what `make up` runs with) and what they refuse."""

import pytest
from pydantic import ValidationError

from smsbus.health.settings import Settings


def test_local_defaults_send_from_the_simulators_first_line_to_an_external_number() -> None:
    settings = Settings()
    assert (settings.port, settings.db_schema, settings.group_id) == (
        8084,
        "health",
        "health-monitor",
    )
    # The canary number must pass compliance's gate: a valid US number the simulator delivers to.
    assert (settings.canary_from, settings.canary_to) == ("+15555550100", "+14155550177")
    assert (settings.interval_seconds, settings.timeout_seconds) == (90.0, 60.0)
    assert settings.failures_before_alert == 2
    assert settings.alert_webhook_url is None
    assert "{check_id}" in settings.canary_text


def test_the_canary_goes_through_the_egress_with_no_openphone_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SMSBUS_OPENPHONE_API_KEY", raising=False)
    settings = Settings()
    assert (settings.topic_for("send.requested"), settings.topic_for("send.accepted")) == (
        "outbound.requests.v1",
        "outbound.results.v1",
    )
    assert not any(name.startswith(("openphone", "lookup")) for name in Settings.model_fields)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"canary_text": "no id here"}, id="a text without the check id"),
        pytest.param({"canary_to": "5555550177"}, id="a canary number not in E.164"),
        pytest.param({"alert_webhook_url": "ftp://alerts"}, id="an alert webhook not http(s)"),
        pytest.param({"failures_before_alert": 0}, id="alerting before any failure"),
    ],
)
def test_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**change)
