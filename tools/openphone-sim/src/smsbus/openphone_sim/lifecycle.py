"""Pure plans of what happens after a send and during a call; the simulator carries them out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from smsbus.contracts.calls import CallStatus
from smsbus.contracts.messages import MessageStatus
from smsbus.openphone_sim.settings import FailureStatus

CallOutcome = Literal["answered", "missed", "voicemail"]


@dataclass(frozen=True)
class StatusStep:
    after: float
    """OpenPhone seconds after the message was queued."""
    status: MessageStatus
    event: str | None
    """The webhook event this status fires, if any (v1 has no message.sent)."""


def outbound_steps(
    recipients: list[str],
    *,
    failing: Mapping[str, FailureStatus],
    sent_after: float,
    delivered_after: float,
) -> list[StatusStep]:
    """queued → sent → delivered; for failing numbers → sent → undelivered, or → failed."""
    failure = next((failing[number] for number in recipients if number in failing), None)
    final_after = max(sent_after, delivered_after)
    if failure == "failed":
        return [StatusStep(final_after, "failed", "message.failed")]
    if failure == "undelivered":
        return [
            StatusStep(sent_after, "sent", None),
            StatusStep(final_after, "undelivered", "message.undelivered"),
        ]
    return [
        StatusStep(sent_after, "sent", None),
        StatusStep(final_after, "delivered", "message.delivered"),
    ]


@dataclass(frozen=True)
class CallStep:
    event: str
    call_status: CallStatus
    answered: bool
    completed: bool
    with_recording: bool = False
    with_voicemail: bool = False


def call_steps(outcome: CallOutcome, *, recording: bool) -> list[CallStep]:
    """The call events in the order OpenPhone fires them (2026-03-30-only events included:
    webhooks of older generations are not subscribed to them)."""
    ringing = CallStep("call.ringing", "ringing", answered=False, completed=False)
    if outcome == "answered":
        steps = [
            ringing,
            CallStep("call.answered", "in-progress", answered=True, completed=False),
            CallStep("call.completed", "completed", answered=True, completed=True),
        ]
        if recording:
            steps.append(
                CallStep("call.recording.completed", "completed", True, True, with_recording=True)
            )
        return steps
    missed = [
        ringing,
        CallStep("call.missed", "missed", answered=False, completed=True),
    ]
    if outcome == "missed":
        return [*missed, CallStep("call.completed", "completed", answered=False, completed=True)]
    return [
        *missed,
        CallStep("call.completed", "completed", False, True, with_voicemail=True),
        CallStep("call.voicemail.completed", "completed", False, True, with_voicemail=True),
    ]
