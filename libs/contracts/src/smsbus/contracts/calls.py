"""OpenPhone's call, call summary and call transcript objects in their canonical (v4) shapes.

Ingest maps the older app-created call shape (`from`/`to` instead of `participants`) onto `Call`.
"""

from typing import Literal

from pydantic import AwareDatetime, Field

from smsbus.contracts.base import ProviderModel

CallStatus = Literal[
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
    "missed",
    "answered",
    "forwarded",
    "abandoned",
]

CallSummaryStatus = Literal["absent", "in-progress", "completed", "failed"]


class CallMedia(ProviderModel):
    """A recording or voicemail file."""

    url: str
    type: str
    """MIME type, e.g. `audio/mpeg`."""
    duration: int | None = None
    """Seconds."""


class Call(ProviderModel):
    """One model for call.ringing, call.completed and call.recording.completed.

    A missed call is `call.completed` with `answeredAt` null.
    """

    id: str
    """`AC…`."""
    object: Literal["call"] = "call"
    direction: Literal["incoming", "outgoing"]
    status: CallStatus
    participants: list[str] = Field(min_length=1)
    """E.164 numbers of the external participants (at most 2)."""
    created_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    answered_at: AwareDatetime | None = None
    answered_by: str | None = None
    initiated_by: str | None = None
    completed_at: AwareDatetime | None = None
    duration: int | None = None
    """Seconds; absent from app-created payloads."""
    forwarded_from: str | None = None
    forwarded_to: str | None = None
    call_route: str | None = None
    """`phone-number` or `phone-menu` per a third-party reference, so not an enum."""
    ai_handled: str | None = None
    phone_number_id: str | None = None
    user_id: str | None = None
    conversation_id: str | None = None
    contact_ids: list[str] = []
    media: list[CallMedia] = []
    """Recordings; set on call.recording.completed."""
    voicemail: CallMedia | None = None


class CallSummary(ProviderModel):
    call_id: str
    object: Literal["callSummary"] = "callSummary"
    status: CallSummaryStatus
    summary: list[str] = []
    next_steps: list[str] = []
    contact_ids: list[str] = []


class DialogueLine(ProviderModel):
    content: str
    start: float
    """Seconds from the start of the call."""
    end: float
    identifier: str
    """E.164 number of the speaker."""
    user_id: str | None = None
    """`US…` when the speaker is one of our users."""


class CallTranscript(ProviderModel):
    call_id: str
    object: Literal["callTranscript"] = "callTranscript"
    created_at: AwareDatetime
    dialogue: list[DialogueLine] = []
    duration: float | None = None
    """Seconds."""
    status: str
    """Not enumerated in OpenPhone's docs, so any string."""
    contact_ids: list[str] = []
