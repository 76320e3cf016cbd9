"""SimSettings: everything the simulator can be told, read from `SMSBUS_SIM_*`.

Durations of OpenPhone's own schedule (status changes, webhook retries, webhook delays) are in
OpenPhone seconds and divided by `speed`; durations a caller measures against its own timeouts
(the 10 s webhook timeout, slow REST answers) are real seconds.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import NoDecode

from smsbus.runtime.settings import ServiceSettings, service_config

Generation = Literal["v2", "v3", "v4", "2026-03-30"]
FailureStatus = Literal["undelivered", "failed"]

LOCAL_API_KEY = "smsbus-local-development-api-key"
# Base64 of "smsbus-local-development-only-00": the stack's development key (tools/cli config).
LOCAL_SIGNING_KEY = "c21zYnVzLWxvY2FsLWRldmVsb3BtZW50LW9ubHktMDA="
# Svix's default: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
OPENPHONE_RETRY_SCHEDULE = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)

CommaList = Annotated[list[str], NoDecode]
FloatList = Annotated[list[float], NoDecode]


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class SimSettings(ServiceSettings):
    model_config = service_config("sim")

    port: int = 8090
    host: str = "127.0.0.1"
    api_keys: CommaList = Field(
        default=[LOCAL_API_KEY],
        validation_alias=AliasChoices(
            "SMSBUS_SIM_API_KEYS", "SMSBUS_OPENPHONE_API_KEY", "api_keys"
        ),
    )
    """Accepted `Authorization` values (raw keys, no Bearer)."""
    signing_key: str = LOCAL_SIGNING_KEY
    """Signing key of the seeded webhooks (base64, or whsec_<base64>)."""
    webhook_urls: CommaList = ["http://127.0.0.1:8080/webhooks/openphone"]
    """One seeded webhook per URL, subscribed to every event its generation has; empty = none."""
    payload_generation: Generation = "v4"
    """Generation of the seeded webhooks (webhooks registered later choose their own)."""
    lines: CommaList = ["+15555550100", "+15555550101"]
    """Our workspace's phone numbers (E.164), one `PN…` each, owned by the first user."""
    demo_history: bool = True
    """Seed contacts, conversations, messages and a call, so lists have something to show."""
    failing_numbers: CommaList = ["+15555550198:failed", "+15555550199:undelivered"]
    """`<E.164>:<undelivered|failed>`: messages to these numbers end in that status."""
    seed: int = 20240101
    """Seeds ids and fault decisions: the same seed and the same requests give the same run.

    `POST /sim/reset` keeps the workspace's ids and takes a new seed for what follows, unless
    it is given one."""
    run_seed: int | None = None
    """Seeds the ids of what happens after start (messages, calls, their events) instead of
    `seed`; the workspace (lines, users, demo history) keeps `seed`'s ids. The local stack sets a
    new one at every start: its database outlives the simulator, and consumers that dedupe on
    ids would take a restarted simulator's new messages for the last run's."""
    speed: float = Field(default=1.0, gt=0)
    """Divides OpenPhone's schedule (status changes, retries, webhook delays): 100 = 100x faster."""
    sent_after: float = Field(default=0.5, ge=0)
    """OpenPhone seconds from queued to sent."""
    delivered_after: float = Field(default=2.0, ge=0)
    """OpenPhone seconds from queued to delivered (or the failure status)."""
    retry_schedule: FloatList = list(OPENPHONE_RETRY_SCHEDULE)
    """Delay before each webhook attempt (the first is the initial one); its length caps them."""
    webhook_timeout: float = Field(default=10.0, gt=0)
    """Real seconds a receiver has to answer 2xx before the attempt counts as failed."""
    failure_events_to_v1: bool = True
    """Also send message.undelivered/message.failed to v2-v4 webhooks subscribed to messages.

    OpenPhone documents those events only for 2026-03-30 webhooks; the platform handles both.
    """
    rate_limit_per_second: float = Field(default=10.0, ge=0)
    """Requests per second per API key before 429, as OpenPhone; 0 = no limit."""
    org_id: str = "OR1a2b3c4d"
    """The workspace's organisation id, as contacts' `sharedWith` carries it."""

    @field_validator("api_keys", "webhook_urls", "lines", "failing_numbers", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split(value)

    @field_validator("retry_schedule", mode="before")
    @classmethod
    def _comma_separated_floats(cls, value: object) -> object:
        return _split(value)

    @field_validator("retry_schedule")
    @classmethod
    def _at_least_one_attempt(cls, value: list[float]) -> list[float]:
        if not value or any(delay < 0 for delay in value):
            raise ValueError("retry_schedule needs at least one non-negative delay")
        return value

    def failing_statuses(self) -> dict[str, FailureStatus]:
        statuses: dict[str, FailureStatus] = {}
        for entry in self.failing_numbers:
            number, _, status = entry.partition(":")
            if status not in ("undelivered", "failed"):
                raise ValueError(f"failing number {number!r}: status must be undelivered or failed")
            statuses[number] = "failed" if status == "failed" else "undelivered"
        return statuses
