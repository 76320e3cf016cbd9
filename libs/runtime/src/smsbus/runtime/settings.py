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

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_DATABASE_URL = "postgresql+asyncpg://smsbus:smsbus@127.0.0.1:5432/smsbus"


def service_config(service: str, *, env_file: str | None = ".env") -> SettingsConfigDict:
    """The settings config of one service: its own fields read as `SMSBUS_<SERVICE>_<FIELD>`."""
    prefix = "SMSBUS_" + service.upper().replace("-", "_") + "_"
    return SettingsConfigDict(
        env_prefix=prefix,
        env_file=env_file,
        env_file_encoding="utf-8",
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
