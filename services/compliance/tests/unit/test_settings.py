"""compliance's settings read from the environment as an operator writes them."""

import pytest

from smsbus.compliance.settings import Settings

KEY = {"SMSBUS_OPENPHONE_API_KEY": "k"}


@pytest.mark.parametrize(
    ("written", "cap"),
    [(None, 125), ("10", 10), ("none", None), ("None", None), ("0", 0)],
    ids=["unset: 125", "a number", "none: no cap", "None", "zero: nothing capped sends"],
)
def test_the_line_daily_cap(monkeypatch: pytest.MonkeyPatch, written: str | None, cap: int | None) -> None:  # fmt: skip
    if written is not None:
        monkeypatch.setenv("SMSBUS_COMPLIANCE_LINE_DAILY_CAP", written)
    assert Settings(_env_file=None, **KEY).line_daily_cap == cap  # type: ignore[call-arg]


def test_the_budget_is_shared_by_name_and_stays_under_openphones_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (Settings(_env_file=None, **KEY).openphone_rate, Settings(_env_file=None, **KEY).openphone_burst) == (8.5, 1)  # type: ignore[call-arg]  # fmt: skip
    monkeypatch.setenv("SMSBUS_OPENPHONE_RATE", "5")
    assert Settings(_env_file=None, **KEY).openphone_rate == 5.0  # type: ignore[call-arg]


def test_the_lookup_waits_for_three_client_timeouts_at_least() -> None:
    from smsbus.compliance.egress.timings import Timings

    with pytest.raises(ValueError, match="three client timeouts"):
        Timings(client_timeout=10.0, lookup_after=15.0)


def test_reply_texts_per_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSBUS_COMPLIANCE_BRAND_NAME", "Acme")
    monkeypatch.setenv("SMSBUS_COMPLIANCE_MESSAGE_FREQUENCY", "Up to 4 msgs/mo")
    monkeypatch.setenv("SMSBUS_COMPLIANCE_REPLY_TEXTS", '{"es": {"frequency": "Hasta 4 msjs/mes"}}')
    replies = Settings(_env_file=None, **KEY).replies()  # type: ignore[call-arg]
    assert "Up to 4 msgs/mo" in replies.in_language("en").help
    assert "Hasta 4 msjs/mes" in replies.in_language("es").help
    assert replies.in_language("es").opt_out_confirmation.startswith("Acme: Se ha dado de baja")


def test_a_reply_without_stop_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSBUS_COMPLIANCE_REPLY_TEXTS", '{"es": {"help": "{brand}: {support}"}}')
    with pytest.raises(ValueError, match=r"es\.help: must contain STOP"):
        Settings(_env_file=None, **KEY)  # type: ignore[call-arg]
