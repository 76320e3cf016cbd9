"""reconciler's settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …), OpenPhone's
(SMSBUS_OPENPHONE_*) and its own SMSBUS_RECONCILER_*."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from smsbus.runtime.settings import ServiceSettings, service_config

SERVICE = "reconciler"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(**service_config(SERVICE), hide_input_in_errors=True)

    host: str = "127.0.0.1"
    port: int = 8083
    db_schema: str = SERVICE
    """The PostgreSQL schema the reconciler owns (tests use their own)."""
    group_id: str = SERVICE
    """Kafka consumer group on the messages and calls topics."""
    messages_topic: str = "openphone.messages.v1"
    calls_topic: str = "openphone.calls.v1"
    """What is consumed as "seen", and where synthetic copies go; the registry's topics unless
    a test redirects them."""

    openphone_base_url: str = Field(
        default="https://api.openphone.com", validation_alias="SMSBUS_OPENPHONE_BASE_URL"
    )
    """OpenPhone's API; the simulator's address on the local stack."""
    openphone_api_key: SecretStr = Field(validation_alias="SMSBUS_OPENPHONE_API_KEY")
    """Required (history comes from OpenPhone's REST API); never logged."""
    openphone_rate: float = Field(default=8.5, gt=0, validation_alias="SMSBUS_OPENPHONE_RATE")
    """Requests per second for the key, shared by every process and replica of every service:
    15% under OpenPhone's 10/s: room for network and scheduling jitter, so that the key never
    sees 11 in one second."""
    openphone_burst: int = Field(default=1, ge=1, validation_alias="SMSBUS_OPENPHONE_BURST")
    """Requests that may start at once on a quiet key (1: evenly spaced)."""

    lines: Annotated[list[str], NoDecode] = []
    """Comma-separated lines to reconcile (`PN…` ids or E.164 numbers); empty: every line."""
    schedule: bool = True
    """False: no fast pass, and deep runs happen only on `POST /runs`."""
    fast_interval_seconds: float = Field(default=60.0, gt=0)
    """Time between fast passes (start to start): each lists the conversations updated since
    the last one and reads only those whose last activity no event carried."""
    fast_grace_seconds: float = Field(default=60.0, ge=0)
    """A last activity younger than this waits for its webhook (a later pass looks again)."""
    fast_lookback_seconds: float = Field(default=900.0, gt=0)
    """How far back the very first fast pass lists (the deep pass covers what is older)."""
    deep_share: float = Field(default=0.3, gt=0, le=1)
    """The deep pass's share of the key's rate (SMSBUS_OPENPHONE_RATE) at most: 0.3 of 8.5 =
    2.55 requests/s by default, the rest left to sends, confirmations and the fast pass."""
    interval_seconds: float = Field(default=900.0, gt=0)
    """Time between scheduled deep runs."""
    first_run_delay_seconds: float = Field(default=30.0, ge=0)
    """Wait after start-up before the first scheduled run (lets the consumer catch up)."""
    lookback_seconds: float = Field(default=48 * 3600.0, gt=0)
    """How far back the very first run looks."""
    overlap_seconds: float = Field(default=3600.0, ge=0)
    """A window starts this long before the previous successful one ended: a status change
    that comes late (a delivery minutes after the send) is still looked at."""
    grace_seconds: float = Field(default=600.0, ge=0)
    """Facts younger than this are not judged yet: their webhook may still be on its way."""
    catchup_timeout_seconds: float = Field(default=30.0, ge=0)
    """How long a run waits for its own consumer to reach the end offsets before deferring."""
    page_size: int = Field(default=100, ge=1, le=100)
    """Items per page of OpenPhone's list endpoints (100 at most: fewer requests per run)."""
    concurrency: int = Field(default=4, ge=1, le=16)
    """Conversations read at once; the client still paces all requests to OpenPhone's limit."""

    @field_validator("lines", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("openphone_api_key")
    @classmethod
    def _key_present(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("SMSBUS_OPENPHONE_API_KEY is required")
        return value

    @property
    def topics(self) -> dict[str, str]:
        """Registry topic → the topic this instance reads and writes."""
        return {
            "openphone.messages.v1": self.messages_topic,
            "openphone.calls.v1": self.calls_topic,
        }
