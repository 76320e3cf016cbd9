"""Handlers: one small function per event type; load → domain → store (+ outbox), in the
transaction the runtime opened for the batch (with its inbox rows). `routes(deps)` is what the
consumer is given: the types the engine acts on.

- `provider`: OpenPhone's delivery statuses, replies and contacts (ingest's topics);
- `consent`: compliance's consent changes (the local suppression list);
- `results`: the egress's answers to the engine's send requests (outbound.results.v1).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from smsbus.campaigns.handlers.consent import on_consent_granted, on_consent_revoked
from smsbus.campaigns.handlers.deps import Deps
from smsbus.campaigns.handlers.provider import on_contact, on_message_received, on_message_status
from smsbus.campaigns.handlers.results import (
    on_send_accepted,
    on_send_deferred,
    on_send_failed,
    on_send_refused,
)
from smsbus.runtime.routes import Routes, Unit, bind

_HANDLERS: dict[str, Callable[[Any, Unit, Deps], Awaitable[None]]] = {
    "message.delivered": on_message_status,
    "message.undelivered": on_message_status,
    "message.failed": on_message_status,
    "message.received": on_message_received,
    "consent.revoked": on_consent_revoked,
    "consent.granted": on_consent_granted,
    "contact.updated": on_contact,
    "contact.deleted": on_contact,
    "send.accepted": on_send_accepted,
    "send.refused": on_send_refused,
    "send.deferred": on_send_deferred,
    "send.failed": on_send_failed,
}


def routes(deps: Deps) -> Routes:
    """Each type's handler with the engine's dependencies bound."""
    return {event_type: bind(handler, deps) for event_type, handler in _HANDLERS.items()}


__all__ = ["Deps", "routes"]
