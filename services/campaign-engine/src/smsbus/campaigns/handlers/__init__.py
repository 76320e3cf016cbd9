"""Subscribers: one small function per event type; decode → load → domain → store (+ outbox),
in one transaction with the inbox row. `dispatcher(deps)` routes a topic's events by type.

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
from smsbus.contracts import Envelope

Handler = Callable[[Envelope[Any], Deps], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
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


def dispatcher(deps: Deps) -> Callable[[Envelope[Any]], Awaitable[None]]:
    """The one handler `subscribe()` gets per topic; types it does not act on are ignored."""

    async def handle(envelope: Envelope[Any]) -> None:
        handler = HANDLERS.get(envelope.type)
        if handler is not None:
            await handler(envelope, deps)

    return handle


__all__ = ["HANDLERS", "Deps", "dispatcher"]
