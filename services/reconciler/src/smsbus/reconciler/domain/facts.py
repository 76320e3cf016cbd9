"""Which webhook events OpenPhone would have sent for one REST message or call.

A fact is one (event type, object) pair; its dedupe key is the one a webhook of the same fact
carries (`<type>:<object id>`), so a consumer drops whichever copy comes second. Only what the
REST object proves is a fact: a queued or sent message has no webhook yet, and a call that is
still ringing or in progress has not ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from smsbus.contracts import Call, Message
from smsbus.contracts.calls import CallStatus
from smsbus.contracts.messages import MessageStatus

# An outgoing message's final status and the webhook OpenPhone fires on reaching it.
OUTGOING_EVENTS: Final[dict[MessageStatus, str]] = {
    "delivered": "message.delivered",
    "undelivered": "message.undelivered",
    "failed": "message.failed",
}

# Statuses after which a call is over (call.completed fires once it is, missed calls too).
ENDED_CALL_STATUSES: Final[frozenset[CallStatus]] = frozenset(
    {"completed", "missed", "no-answer", "busy", "failed", "canceled", "abandoned"}
)

# Events after which an activity (a message or call id) needs no reading: the first fact its
# REST object proves. A `call.ringing` alone does not settle a call: its end may be lost.
SETTLING_EVENTS: Final[frozenset[str]] = frozenset(
    {"message.received", *OUTGOING_EVENTS.values(), "call.completed"}
)


@dataclass(frozen=True)
class Fact:
    """One webhook event that should exist for a REST object."""

    event_type: str
    object_id: str
    occurred_at: datetime
    """Provider time of the event: when the status was reached."""
    data: Message | Call
    """The canonical payload, as the REST API returned it."""

    @property
    def dedupe_key(self) -> str:
        return dedupe_key(self.event_type, self.object_id)


def dedupe_key(event_type: str, object_id: str) -> str:
    """The same key `make_envelope` gives a webhook of this event."""
    return f"{event_type}:{object_id}"


def message_facts(message: Message) -> list[Fact]:
    if message.direction == "incoming":
        return [Fact("message.received", message.id, message.created_at, message)]
    event_type = OUTGOING_EVENTS.get(message.status)
    if event_type is None:
        return []
    # The status change is the event; REST's updatedAt is when it happened.
    return [Fact(event_type, message.id, message.updated_at or message.created_at, message)]


def call_facts(call: Call) -> list[Fact]:
    ended = call.status in ENDED_CALL_STATUSES or call.completed_at is not None
    if not ended:
        return []
    ended_at = call.completed_at or call.updated_at or call.created_at
    facts = [Fact("call.completed", call.id, ended_at, call)]
    if call.media:
        # The REST object carries the recording only once it is ready.
        facts.append(Fact("call.recording.completed", call.id, ended_at, call))
    return facts
