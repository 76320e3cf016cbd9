"""API-created webhooks (`POST /v1/webhooks/…`): `apiVersion` v4, `text`, `to[]`, calls with
`participants[]` (openphone.md §2.2). Key order follows the official guide's samples.

    {"id":"EV…","object":"event","apiVersion":"v4","createdAt":"…Z","type":"message.received",
     "data":{"object":{"id":"AC…","object":"message","from":"+1…","to":["+1…"],"text":"…",…}}}
"""

from __future__ import annotations

from typing import Any

from smsbus.contracts import Call, CallSummary, CallTranscript, Contact, Message
from smsbus.openphone_sim.clock import iso
from smsbus.openphone_sim.events import Resource, SimEvent
from smsbus.openphone_sim.payloads.wire import pick, wire

MESSAGE_KEYS = (
    "id", "object", "from", "to", "direction", "text", "status", "createdAt", "userId",
    "phoneNumberId", "conversationId", "contactIds", "media",
)  # fmt: skip
CALL_KEYS = (
    "id", "object", "answeredAt", "answeredBy", "initiatedBy", "direction", "status",
    "completedAt", "createdAt", "duration", "forwardedFrom", "forwardedTo", "phoneNumberId",
    "participants", "updatedAt", "userId", "contactIds", "conversationId", "media", "voicemail",
)  # fmt: skip
SUMMARY_KEYS = ("callId", "object", "status", "summary", "nextSteps", "contactIds")
TRANSCRIPT_KEYS = (
    "callId", "object", "createdAt", "dialogue", "duration", "status", "contactIds",
)  # fmt: skip


def resource_object(resource: Resource) -> dict[str, Any]:
    """The v4 shape of an object, also the 2026-03-30 `resource`."""
    match resource:
        case Message():
            return pick(resource, MESSAGE_KEYS)
        case Call():
            return pick(resource, CALL_KEYS)
        case CallSummary():
            return pick(resource, SUMMARY_KEYS)
        case CallTranscript():
            return pick(resource, TRANSCRIPT_KEYS)
        case Contact():
            return wire(resource)


def render(event: SimEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "object": "event",
        "apiVersion": "v4",
        "createdAt": iso(event.created_at),
        "type": event.type,
        "data": {"object": resource_object(event.resource)},
    }
