"""Settings: SMSBUS_RECONCILER_* for our own, the shared names unprefixed, the key required."""

import pytest
from pydantic import ValidationError

from smsbus.reconciler.settings import Settings

KEY = {"SMSBUS_OPENPHONE_API_KEY": "a-key"}

CASES = [
    ("defaults", {}, {"port": 8083, "db_schema": "reconciler", "group_id": "reconciler", "interval_seconds": 900.0, "lines": [], "schedule": True}),
    ("own prefix", {"SMSBUS_RECONCILER_PORT": "9999", "SMSBUS_RECONCILER_INTERVAL_SECONDS": "60"}, {"port": 9999, "interval_seconds": 60.0}),
    ("comma-separated lines", {"SMSBUS_RECONCILER_LINES": "PNa, +15555550100"}, {"lines": ["PNa", "+15555550100"]}),
    ("fast pass and deep share defaults", {}, {"fast_interval_seconds": 60.0, "fast_grace_seconds": 60.0, "fast_lookback_seconds": 900.0, "deep_share": 0.3}),
    ("fast pass and deep share", {"SMSBUS_RECONCILER_FAST_INTERVAL_SECONDS": "30", "SMSBUS_RECONCILER_FAST_GRACE_SECONDS": "45", "SMSBUS_RECONCILER_DEEP_SHARE": "0.5"}, {"fast_interval_seconds": 30.0, "fast_grace_seconds": 45.0, "deep_share": 0.5}),
    ("seen facts remembered 30 days, the first run reads 7", {}, {"seen_keep_days": 30.0, "lookback_seconds": 7 * 86400.0}),
    ("a memory just over the lookback and a day", {"SMSBUS_RECONCILER_SEEN_KEEP_DAYS": "8.1"}, {"seen_keep_days": 8.1}),
    ("shared names", {"SMSBUS_KAFKA_BOOTSTRAP": "k:1", "SMSBUS_OPENPHONE_BASE_URL": "http://127.0.0.1:8090"}, {"kafka_bootstrap": "k:1", "openphone_base_url": "http://127.0.0.1:8090"}),
]  # fmt: skip


@pytest.mark.parametrize(("label", "env", "expected"), CASES, ids=[c[0] for c in CASES])
def test_settings_from_env(
    label: str, env: dict[str, str], expected: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (KEY | env).items():
        monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert {name: getattr(settings, name) for name in expected} == expected, label


@pytest.mark.parametrize("key", ["", "   "])
def test_the_api_key_is_required_and_never_echoed(
    key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSBUS_OPENPHONE_API_KEY", key)
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None)  # type: ignore[call-arg]
    assert "SMSBUS_OPENPHONE_API_KEY" in str(raised.value) or "openphone_api_key" in str(
        raised.value
    )


def test_topics_are_the_registrys_but_for_the_overridden_ones() -> None:
    settings = Settings(
        SMSBUS_OPENPHONE_API_KEY="k", topic_overrides={"openphone.messages.v1": "m.test"}
    )
    assert settings.topic_for("message.received") == "m.test"
    assert settings.topic("openphone.calls.v1") == "openphone.calls.v1"
    with pytest.raises(ValidationError, match="not registry topics: calls"):
        Settings(SMSBUS_OPENPHONE_API_KEY="k", topic_overrides={"calls": "c.test"})


@pytest.mark.parametrize(
    "env",
    [
        {"SMSBUS_RECONCILER_SEEN_KEEP_DAYS": "8"},
        {"SMSBUS_RECONCILER_SEEN_KEEP_DAYS": "1"},
        {"SMSBUS_RECONCILER_LOOKBACK_SECONDS": str(40 * 86400)},
    ],
)
def test_a_memory_no_longer_than_the_lookback_and_a_day_is_refused(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (KEY | env).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match="seen_keep_days must exceed the lookback"):
        Settings(_env_file=None)  # type: ignore[call-arg]
