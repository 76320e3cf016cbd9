"""The settings every service shares, and how a service adds its own.

Shared names (`SMSBUS_KAFKA_BOOTSTRAP`, `SMSBUS_DATABASE_URL`, `SMSBUS_LOG_LEVEL`,
`SMSBUS_LAG_POLL_SECONDS`, `SMSBUS_CONSUMER_BATCH_RECORDS`, `SMSBUS_CONSUMER_BATCH_WAIT_MS`)
are read unprefixed; a service's own fields are read with its prefix `SMSBUS_<SERVICE>_`:

    class Settings(ServiceSettings):
        model_config = service_config("compliance")
        port: int = 8081                       # SMSBUS_COMPLIANCE_PORT
        api_key: SecretStr                     # SMSBUS_COMPLIANCE_API_KEY, required, never logged

This module is the only place in the runtime that reads the environment.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from smsbus.contracts import all_topics, route_for

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_DATABASE_URL = "postgresql+asyncpg://smsbus:smsbus@127.0.0.1:5432/smsbus"


def service_config(service: str, *, env_file: str | None = ".env") -> SettingsConfigDict:
    """The settings config of one service: its own fields read as `SMSBUS_<SERVICE>_<FIELD>`; a
    refused value (a secret, as like as not) is never echoed in the validation error."""
    prefix = "SMSBUS_" + service.upper().replace("-", "_") + "_"
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=env_file,
        env_file_encoding="utf-8",
        hide_input_in_errors=True,
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
    )


class ServiceSettings(BaseSettings):
    """The shared settings; subclass it per service and give it `service_config(<name>)`."""

    model_config = service_config("runtime")

    kafka_bootstrap: str = Field(
        default=DEFAULT_KAFKA_BOOTSTRAP,
        validation_alias="SMSBUS_KAFKA_BOOTSTRAP",
    )
    """Kafka bootstrap servers (host:port, comma-separated). Unset, `make up` runs a local broker
    on SMSBUS_KAFKA_PORT; set, the stack uses that broker and never starts or stops it."""
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias="SMSBUS_DATABASE_URL",
    )
    """PostgreSQL URL (postgresql+asyncpg://…); each service uses its own schema in it. Unset,
    `make up` runs a local cluster on SMSBUS_POSTGRES_PORT; set, the stack uses that server and
    never starts or stops it."""
    log_level: LogLevel = Field(
        default="INFO",
        validation_alias="SMSBUS_LOG_LEVEL",
    )
    """Least severe level logged (JSON lines; phone numbers masked, secrets never written)."""
    lag_poll_seconds: float = Field(
        default=15.0,
        gt=0,
        validation_alias="SMSBUS_LAG_POLL_SECONDS",
    )
    """How often a consuming service measures its consumer group's lag at the broker."""
    consumer_batch_records: int = Field(
        default=500,
        ge=1,
        le=10_000,
        validation_alias="SMSBUS_CONSUMER_BATCH_RECORDS",
    )
    """At most this many records of one partition are handled in one transaction."""
    consumer_batch_wait_ms: float = Field(
        default=0.0,
        ge=0,
        le=1000,
        validation_alias="SMSBUS_CONSUMER_BATCH_WAIT_MS",
    )
    """How long a partition's worker waits for a batch to fill (0: it takes what is ready)."""
    api_tokens: SecretStr | None = Field(default=None, validation_alias="SMSBUS_API_TOKENS")
    """The API tokens every service accepts (runtime/auth.py): `name:token:scopes,…`, scopes
    joined by `+` from read, consent, campaigns, operations, all; tokens of 32+ characters; one
    name twice during a rotation. Required to serve an API; `make up` generates one `all` token
    per run (<state dir>/api-token) unless it is set."""


class TopicSettings(ServiceSettings):
    """A service that reads or writes the registry's topics."""

    topic_overrides: dict[str, str] = {}
    """Registry topic → the topic this service actually reads and writes instead (tests,
    benches, shadow deployments), JSON in the environment; every other topic is the
    registry's. The only place a topic name can differ from libs/contracts' registry."""

    @field_validator("topic_overrides")
    @classmethod
    def _overrides_name_registry_topics(cls, overrides: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(overrides) - set(all_topics()))
        if unknown:
            raise ValueError(f"not registry topics: {', '.join(unknown)}")
        return overrides

    def topic(self, registry_topic: str) -> str:
        """The topic actually used for one of the registry's."""
        return self.topic_overrides.get(registry_topic, registry_topic)

    def topic_for(self, event_type: str) -> str:
        """Where events of this type go: the registry's topic, or its override."""
        return self.topic(route_for(event_type).topic)


class ConsumingSettings(TopicSettings):
    """What a consuming service's settings add to the shared ones (runtime/service.py)."""

    db_schema: str
    """The PostgreSQL schema the service owns (tests use their own); by default its name."""
    group_id: str
    """The service's Kafka consumer group (tests use their own); by default its name."""
    dlq_poll_interval: float = Field(default=30.0, gt=0)
    """Seconds between measurements of the service's dead-letter topics
    (smsbus_<service>_dlq_messages)."""
    inbox_keep_days: float = Field(default=35.0, gt=0)
    """Days an inbox row (an event handled) is kept; a copy of the event arriving later is
    handled again. Longer than the longest topic retention a replay reads (dead letters: 30)."""
    outbox_keep_hours: float = Field(default=24.0, ge=0)
    """Hours a published outbox row is kept (the topic holds the event) before it is deleted."""
    prune_interval: float = Field(default=3600.0, gt=0)
    """Seconds between two prunings of the inbox and outbox (a backlog goes batch after batch)."""
    host: str = "127.0.0.1"

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """A service's schema and consumer group are named after it (the name its
        `service_config` was given) unless its settings give them a default of their own."""
        super().__pydantic_init_subclass__(**kwargs)
        prefix = cls.model_config.get("env_prefix", "")
        name = prefix.removeprefix("SMSBUS_").removesuffix("_").lower()
        named = [f for f in ("db_schema", "group_id") if cls.model_fields[f].is_required()]
        for field in named:
            cls.model_fields[field].default = name
        if named:
            cls.model_rebuild(force=True)


class OpenPhoneSettings(ServiceSettings):
    """The OpenPhone key's settings, for the services that call OpenPhone's API. Read
    unprefixed (SMSBUS_OPENPHONE_*): one key and one budget shared by every service."""

    openphone_base_url: str = Field(
        default="https://api.openphone.com", validation_alias="SMSBUS_OPENPHONE_BASE_URL"
    )
    """OpenPhone's API; the simulator's address on the local stack."""
    openphone_api_key: SecretStr = Field(validation_alias="SMSBUS_OPENPHONE_API_KEY")
    """Required by the services that call OpenPhone (compliance's egress, the reconciler);
    never logged."""
    openphone_rate: float = Field(default=8.5, gt=0, validation_alias="SMSBUS_OPENPHONE_RATE")
    """Requests per second for the key, shared by every process and replica of every service:
    15% under OpenPhone's 10/s: room for network and scheduling jitter, so that the key never
    sees 11 in one second."""
    openphone_burst: int = Field(default=1, ge=1, validation_alias="SMSBUS_OPENPHONE_BURST")
    """Requests that may start at once on a quiet key (1: evenly spaced)."""

    @field_validator("openphone_api_key")
    @classmethod
    def _key_present(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("SMSBUS_OPENPHONE_API_KEY is required")
        return value
