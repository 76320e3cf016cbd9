import pytest
from pydantic import SecretStr, ValidationError

from smsbus.runtime.settings import ConsumingSettings, ServiceSettings, service_config


class DemoSettings(ServiceSettings):
    model_config = service_config("demo-svc", env_file=None)

    port: int = 8085
    api_key: SecretStr


def test_shared_names_unprefixed_own_fields_prefixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSBUS_KAFKA_BOOTSTRAP", "broker:9092")
    monkeypatch.setenv("SMSBUS_DEMO_SVC_KAFKA_BOOTSTRAP", "ignored:1")
    monkeypatch.setenv("SMSBUS_DEMO_SVC_PORT", "9999")
    monkeypatch.setenv("SMSBUS_DEMO_SVC_API_KEY", "s3cret")
    settings = DemoSettings()
    assert settings.kafka_bootstrap == "broker:9092"
    assert settings.port == 9999
    assert settings.api_key.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.model_dump())


def test_defaults_and_required_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMSBUS_KAFKA_BOOTSTRAP", "SMSBUS_DATABASE_URL", "SMSBUS_DEMO_SVC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValidationError):
        DemoSettings()
    settings = DemoSettings(api_key=SecretStr("k"))
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert settings.log_level == "INFO"


class WidgetSettings(ConsumingSettings):
    model_config = service_config("widgets", env_file=None)


class GadgetSettings(ConsumingSettings):
    model_config = service_config("gadgets", env_file=None)

    group_id: str = "gadget-service"


def test_schema_and_group_named_after_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SMSBUS_WIDGETS_DB_SCHEMA", "SMSBUS_WIDGETS_GROUP_ID", "SMSBUS_GADGETS_GROUP_ID"):
        monkeypatch.delenv(name, raising=False)
    widgets = WidgetSettings()
    assert (widgets.db_schema, widgets.group_id) == ("widgets", "widgets")
    gadgets = GadgetSettings()
    assert (gadgets.db_schema, gadgets.group_id) == ("gadgets", "gadget-service")
    assert WidgetSettings.model_fields["db_schema"].default == "widgets"  # what the docs list

    monkeypatch.setenv("SMSBUS_WIDGETS_GROUP_ID", "widgets-blue")
    assert WidgetSettings().group_id == "widgets-blue"
    assert WidgetSettings(db_schema="t_1").db_schema == "t_1"
