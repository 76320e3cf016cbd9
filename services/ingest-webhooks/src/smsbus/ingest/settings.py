"""ingest-webhooks' settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …) plus SMSBUS_INGEST_*."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from smsbus.openphone.signing import SigningKey, parse_keys
from smsbus.runtime.settings import TopicSettings, service_config

MIB = 1024 * 1024


class Settings(TopicSettings):
    model_config = service_config("ingest")

    host: str = "127.0.0.1"
    """Interface to listen on; 0.0.0.0 in a container."""
    port: int = 8080
    workers: int = Field(default=1, ge=1)
    """Processes behind one port (`python -m smsbus.ingest` only); the service is stateless."""
    signing_keys: SecretStr
    """Comma-separated: base64 keys (openphone-signature) and/or whsec_… (Standard Webhooks).
    Several at once while a key is rotated. Required, never logged."""
    publish_timeout: float = Field(default=5.0, gt=0)
    """Seconds to wait for the broker's acknowledgement before answering 503."""
    max_body: int = Field(default=MIB, gt=0)
    """Bytes; a larger body gets 413 without being read."""
    signature_tolerance: float = Field(default=300.0, gt=0)
    """Seconds a signature timestamp may be off from our clock, either way."""
    retry_after: int = Field(default=5, ge=0)
    """Seconds, sent as Retry-After with every 503."""
    max_in_flight: int = Field(default=1000, ge=1)
    """Requests handled at once by one process; above it, 503 at once (load shedding)."""

    @field_validator("signing_keys")
    @classmethod
    def _keys_parse(cls, value: SecretStr) -> SecretStr:
        try:
            keys = parse_keys(value.get_secret_value())
        except ValueError as exc:  # the message names the rule, never the key
            raise ValueError(str(exc)) from None
        if not keys:
            raise ValueError("at least one webhook signing key is required")
        return value

    def verification_keys(self) -> list[SigningKey]:
        return parse_keys(self.signing_keys.get_secret_value())
