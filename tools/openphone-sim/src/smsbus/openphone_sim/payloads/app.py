"""App-created webhooks (support-doc samples and real captures): `apiVersion` v2 or v3, the text
in `body`, `to` a string (comma-separated for groups), calls with `from`/`to` (openphone.md §2.1).

    {"id":"EV…","object":"event","apiVersion":"v2","createdAt":"…Z","type":"message.received",
     "data":{"object":{"id":"AC…","object":"message","from":"+1…","to":"+1…","body":"af",…}}}
"""

from __future__ import annotations

from typing import Any

from smsbus.contracts import Call, Message
from smsbus.openphone_sim.clock import iso
from smsbus.openphone_sim.events import SimEvent
from smsbus.openphone_sim.payloads.v4 import resource_object
from smsbus.openphone_sim.payloads.wire import wire

MESSAGE_KEYS = (
    "id", "object", "from", "to", "direction", "body", "media", "status", "createdAt",
    "userId", "phoneNumberId", "conversationId",
)  # fmt: skip
CALL_KEYS = (
    "id", "object", "from", "to", "direction", "media", "voicemail", "status", "createdAt",
    "answeredAt", "completedAt", "userId", "phoneNumberId", "conversationId",
)  # fmt: skip


def _message(message: Message, version: str) -> dict[str, Any]:
    full = wire(message)
    full["to"] = ",".join(message.to)
    full["body"] = message.text
    shaped = {key: full.get(key) for key in MESSAGE_KEYS}
    if version == "v3":
        shaped["createdBy"] = None
    return shaped


def _call(call: Call, line_number: str | None) -> dict[str, Any]:
    full = wire(call)
    external = ",".join(call.participants)
    ours = line_number or ""
    incoming = call.direction == "incoming"
    full["from"], full["to"] = (external, ours) if incoming else (ours, external)
    # App payloads know only "ringing" and "completed".
    full["status"] = "ringing" if call.status == "ringing" else "completed"
    return {key: full.get(key) for key in CALL_KEYS}


def _render(event: SimEvent, version: str) -> dict[str, Any]:
    match event.resource:
        case Message():
            shaped = _message(event.resource, version)
        case Call():
            shaped = _call(event.resource, event.line_number)
        case _:
            shaped = resource_object(event.resource)
    return {
        "id": event.id,
        "object": "event",
        "apiVersion": version,
        "createdAt": iso(event.created_at),
        "type": event.type,
        "data": {"object": shaped},
    }


def render_v2(event: SimEvent) -> dict[str, Any]:
    return _render(event, "v2")


def render_v3(event: SimEvent) -> dict[str, Any]:
    return _render(event, "v3")
