"""The events the simulator fires and which webhooks may take them (openphone.md §1, §5.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from smsbus.contracts import Call, CallSummary, CallTranscript, Contact, Message

Resource = Message | Call | CallSummary | CallTranscript | Contact
WebhookKind = Literal["messages", "calls", "call-summaries", "call-transcripts"]

# What `POST /v1/webhooks/{kind}` accepts.
API_EVENTS: dict[WebhookKind, tuple[str, ...]] = {
    "messages": ("message.received", "message.delivered"),
    "calls": ("call.completed", "call.ringing", "call.recording.completed"),
    "call-summaries": ("call.summary.completed",),
    "call-transcripts": ("call.transcript.completed",),
}
V4_EVENTS = tuple(event for events in API_EVENTS.values() for event in events)
APP_EVENTS = (*V4_EVENTS, "contact.updated", "contact.deleted")
VERSIONED_EVENTS = (
    *APP_EVENTS,
    "message.failed",
    "message.undelivered",
    "call.answered",
    "call.missed",
    "call.voicemail.completed",
)
MESSAGE_FAILURE_EVENTS = ("message.failed", "message.undelivered")


@dataclass(frozen=True)
class SimEvent:
    """One fact, sent to every subscribed webhook under the same event id."""

    id: str
    type: str
    created_at: datetime
    resource: Resource
    phone_number_id: str | None = None
    line_number: str | None = None
    """Our number the activity went through (app payloads' `from`/`to` of calls)."""
    org_id: str | None = None
