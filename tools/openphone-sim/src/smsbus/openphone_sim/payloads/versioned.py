"""2026-03-30 webhooks: `data.resource`, `data.context`, `data.links`, no top-level `object`,
signed with Standard Webhooks headers (openphone.md §2.3, §3.2).

    {"id":"EV…","apiVersion":"2026-03-30","createdAt":"…Z","type":"message.received",
     "data":{"resource":{…},"context":{"orgId":"OR…","senderIdentifier":"+1…",…},"links":{…}}}
"""

from __future__ import annotations

from typing import Any

from smsbus.contracts import Call, Message
from smsbus.openphone_sim.clock import iso
from smsbus.openphone_sim.events import SimEvent
from smsbus.openphone_sim.payloads.v4 import resource_object

API_VERSION = "2026-03-30"
APP_URL = "https://my.quo.com"


def _context(event: SimEvent) -> dict[str, Any]:
    context: dict[str, Any] = {"orgId": event.org_id, "phoneNumberId": event.phone_number_id}
    resource = event.resource
    contact_ids: list[str] = list(getattr(resource, "contact_ids", []))
    if isinstance(resource, Message):
        context["senderIdentifier"] = resource.from_
        context["recipientIdentifiers"] = resource.to
    elif isinstance(resource, Call):
        ours, theirs = event.line_number, resource.participants
        incoming = resource.direction == "incoming"
        context["senderIdentifier"] = theirs[0] if incoming else ours
        context["recipientIdentifiers"] = [ours] if incoming else theirs
    context["contacts"] = {
        "lookupStatus": "matched" if contact_ids else "none",
        "ids": contact_ids,
    }
    return context


def _links(event: SimEvent) -> dict[str, str]:
    conversation_id = getattr(event.resource, "conversation_id", None)
    if event.phone_number_id and conversation_id:
        return {"quo": f"{APP_URL}/inbox/{event.phone_number_id}/c/{conversation_id}"}
    return {"quo": APP_URL}


def render(event: SimEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "apiVersion": API_VERSION,
        "createdAt": iso(event.created_at),
        "type": event.type,
        "data": {
            "resource": resource_object(event.resource),
            "context": _context(event),
            "links": _links(event),
        },
    }
