"""Events the health monitor emits about its canary checks (`health.checks.v1`).

A canary is one SMS from our canary line to the canary number; it passes when OpenPhone's
delivery webhook for it has come back through ingest and Kafka to the monitor in time.
Keyed by the sending line, so one canary's results stay in order.
"""

from typing import Literal

from pydantic import AwareDatetime, Field

from smsbus.contracts.base import OwnEvent

CanaryStage = Literal["send", "webhook"]


class _CanaryResult(OwnEvent):
    check_id: str = Field(min_length=1)
    """The check (a UUID), also in the canary's text."""
    line: str = Field(min_length=1)
    """Our sending line (`PN…` id or E.164)."""
    to: str = Field(pattern=r"^\+[1-9]\d{1,14}$")
    """The canary number, E.164."""
    started_at: AwareDatetime
    """When the monitor asked the egress (compliance) to send the canary."""
    finished_at: AwareDatetime
    """When the monitor decided: the webhook came back, or the deadline passed."""


class CanaryPassed(_CanaryResult):
    """The canary's delivery webhook came back through the whole pipeline in time."""

    outcome: Literal["passed"] = "passed"
    message_id: str = Field(min_length=1)
    """OpenPhone's message id (`AC…`)."""
    event_type: str = Field(min_length=1)
    """The event that proved it, e.g. `message.delivered`."""
    round_trip_seconds: float = Field(ge=0)
    """From the send request to the monitor handling the event."""


class CanaryFailed(_CanaryResult):
    """The canary did not come back: the send failed, or no webhook arrived in time."""

    outcome: Literal["failed"] = "failed"
    stage: CanaryStage
    """`send`: the egress refused, deferred or failed it (OpenPhone's refusal included), or never
    answered; `webhook`: nothing came back by the deadline."""
    reason: str = Field(min_length=1)
    """What went wrong, for people: the API error, or how long the monitor waited."""
    message_id: str | None = None
    """OpenPhone's message id when the send was accepted."""
