"""campaign-engine's settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …), OpenPhone's
(SMSBUS_OPENPHONE_*) and its own SMSBUS_CAMPAIGNS_*."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from smsbus.runtime.settings import ServiceSettings, service_config

SERVICE = "campaign-engine"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(**service_config("campaigns"), hide_input_in_errors=True)

    host: str = "127.0.0.1"
    port: int = 8082
    db_schema: str = "campaigns"
    group_id: str = SERVICE
    messages_topic: str = "openphone.messages.v1"
    contacts_topic: str = "openphone.contacts.v1"
    consent_topic: str = "compliance.consent.v1"
    events_topic: str = "campaigns.events.v1"
    """Where member events go; the registry's topic unless a test redirects it."""

    openphone_base_url: str = Field(
        default="https://api.openphone.com", validation_alias="SMSBUS_OPENPHONE_BASE_URL"
    )
    openphone_api_key: SecretStr = Field(validation_alias="SMSBUS_OPENPHONE_API_KEY")
    """Required (campaign sends go through OpenPhone); never logged."""
    openphone_rate: float = Field(default=10.0, gt=0)
    """Requests per second to OpenPhone (its limit is 10/s per key)."""
    openphone_timeout: float = Field(default=10.0, gt=0)
    compliance_url: str = "http://127.0.0.1:8081"
    eligibility_ttl_seconds: float = Field(default=60.0, ge=0)
    """How long compliance's eligibility answer for a number is reused."""

    dispatch: bool = True
    """False: this replica serves the API and consumes events but sends nothing."""
    dispatch_batch: int = Field(default=50, ge=1)
    dispatch_interval: float = Field(default=1.0, gt=0)
    send_concurrency: int = Field(default=8, ge=1)
    lease_seconds: float = Field(default=120.0, gt=0)
    """Real seconds an intent belongs to its replica before recovery may look it up."""
    lookup_margin_seconds: float = Field(default=300.0, ge=0)
    reply_window_days: float = Field(default=7.0, gt=0)
    default_timezone: str = "America/New_York"
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")

    clock_start: AwareDatetime | None = None
    """Tests and demos: the engine's clock starts here and runs on from it."""
    clock_control: bool = False
    """Tests and demos: POST /v1/testing/clock may set or advance the engine's clock."""

    @field_validator("openphone_api_key")
    @classmethod
    def _key_present(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("SMSBUS_OPENPHONE_API_KEY is required")
        return value
