"""Settings: defaults as documented, signing keys required, parsed, never echoed."""

import pytest
from pydantic import ValidationError

from smsbus.ingest.settings import Settings

KEY = "c21zYnVzLWxvY2FsLWRldmVsb3BtZW50LW9ubHktMDA="


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SMSBUS_INGEST_SIGNING_KEYS",
        "SMSBUS_INGEST_PORT",
        "SMSBUS_INGEST_PUBLISH_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSBUS_INGEST_SIGNING_KEYS", KEY)
    settings = Settings()
    assert (settings.port, settings.publish_timeout, settings.max_body) == (8080, 5.0, 1024 * 1024)
    assert (settings.signature_tolerance, settings.retry_after) == (300.0, 5)
    assert len(settings.verification_keys()) == 1


def test_several_keys_for_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "SMSBUS_INGEST_SIGNING_KEYS", f"{KEY}, whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    )
    assert [key.standard for key in Settings().verification_keys()] == [False, True]


def test_signing_keys_are_required() -> None:
    with pytest.raises(ValidationError, match="signing_keys"):
        Settings()


def test_a_bad_key_is_refused_without_being_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSBUS_INGEST_SIGNING_KEYS", "not-base64-s3cr3t!")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "s3cr3t" not in str(refused.value)
    assert "base64" in str(refused.value)


def test_the_key_never_shows_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSBUS_INGEST_SIGNING_KEYS", KEY)
    assert KEY not in repr(Settings())
