"""Versioned webhooks (`POST /webhooks` with `Quo-Api-Version`), `apiVersion` "2026-03-30".

    {"id": "EV…", "apiVersion": "2026-03-30", "createdAt": "…", "type": "message.received",
     "data": {"resource": {"id": "AC…", "text": "…", "direction": "incoming", …},
              "context": {"orgId": "OR…", "phoneNumberId": "PN…", "conversationId": "CN…",
                          "senderIdentifier": "+1…", "recipientIdentifiers": ["+1…"],
                          "participants": {"resolution": "available", "external": […], …},
                          "contacts": {"lookupStatus": "matched", "ids": ["…"]}},
              "links": {"quo": "https://my.quo.com/…"}}}

Signed with Standard Webhooks headers. No top-level `object`; the business object is
`data.resource`, and what surrounds it (numbers, conversation, participants, matched contacts)
is `data.context`. OpenPhone published these schemas only in part: the maps below are our
reading of them, kept as data so a correction is a one-line change. `contacts.lookupStatus`
"unavailable" (unknown) and "none" both become an empty `contactIds`. Samples: testdata/versioned/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from smsbus.contracts import Call, CallSummary, CallTranscript, Message
from smsbus.ingest.parsing.common import Fields, as_list, renamed, require_object

API_VERSIONS = frozenset({"2026-03-30"})

TYPE_ALIASES: Mapping[str, str] = {}

RESOURCE_RENAMES: Mapping[str, str] = {
    "answeredByUserId": "answeredBy",
    "initiatedByUserId": "initiatedBy",
}

# Context fields copied onto the canonical object (when the resource does not carry them).
CONTEXT_FIELDS: tuple[str, ...] = ("phoneNumberId", "conversationId", "userId")

# The external side of a call when `context.participants` could not be resolved.
EXTERNAL_IDENTIFIERS: Mapping[str, str] = {
    "incoming": "senderIdentifier",
    "outgoing": "recipientIdentifiers",
}


def _contact_ids(context: Mapping[str, Any]) -> list[Any]:
    contacts = context.get("contacts")
    ids = contacts.get("ids") if isinstance(contacts, Mapping) else None
    return list(ids) if isinstance(ids, list) else []


def _with_context(resource: Fields, context: Mapping[str, Any]) -> Fields:
    for name in CONTEXT_FIELDS:
        if name not in resource and name in context:
            resource[name] = context[name]
    resource.setdefault("contactIds", _contact_ids(context))
    return resource


def _message(resource: Fields, context: Mapping[str, Any]) -> Fields:
    if "senderIdentifier" in context:
        resource.setdefault("from", context["senderIdentifier"])
    if "recipientIdentifiers" in context:
        resource.setdefault("to", as_list(context["recipientIdentifiers"]))
    return _with_context(resource, context)


def _call(resource: Fields, context: Mapping[str, Any]) -> Fields:
    participants = context.get("participants")
    external = participants.get("external") if isinstance(participants, Mapping) else None
    if not external:
        name = EXTERNAL_IDENTIFIERS.get(str(resource.get("direction")), "")
        external = as_list(context.get(name)) if context.get(name) else None
    if external:
        resource.setdefault("participants", external)
    return _with_context(resource, context)


def _ai_result(resource: Fields, context: Mapping[str, Any]) -> Fields:
    resource.setdefault("contactIds", _contact_ids(context))
    return resource


_BY_MODEL: Mapping[type, Callable[[Fields, Mapping[str, Any]], Fields]] = {
    Message: _message,
    Call: _call,
    CallSummary: _ai_result,
    CallTranscript: _ai_result,
}


def to_canonical(model: type[BaseModel], data: Mapping[str, Any]) -> Fields:
    resource = renamed(require_object(data.get("resource"), "data.resource"), RESOURCE_RENAMES)
    context = data.get("context")
    context = context if isinstance(context, Mapping) else {}
    mapper = _BY_MODEL.get(model)
    return mapper(resource, context) if mapper else resource
