"""Subscribers: one small function per event type; decode → load → domain → store (+ outbox),
in one transaction with the inbox row. `dispatcher(deps)` routes a topic's events by type."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smsbus.campaigns import events, tracking
from smsbus.campaigns.domain import sentiment
from smsbus.campaigns.domain import status as machine
from smsbus.campaigns.domain.contacts import InvalidPhone, normalise
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.models import SuppressionRow
from smsbus.campaigns.store import campaigns as store
from smsbus.campaigns.store import contacts as contact_store
from smsbus.contracts import Contact, Envelope, Message
from smsbus.contracts.campaigns import MemberResponded, MemberSkipped
from smsbus.contracts.consent import ConsentGranted, ConsentRevoked
from smsbus.runtime.db import Sessions
from smsbus.runtime.inbox import mark_processed
from smsbus.runtime.outbox import add_to_outbox

_IDS = uuid.UUID("3c1f6a52-7d0e-5b8a-9e2f-4a6b8c0d1e2f")


@dataclass(frozen=True)
class Deps:
    sessions: Sessions
    clock: Callable[[], datetime]
    events_topic: str
    consumer: str = "campaign-engine"
    reply_window: timedelta = timedelta(days=7)
    default_region: str = "US"
    eligibility: EligibilityClient | None = None


async def on_message_status(envelope: Envelope[Message], deps: Deps) -> None:
    """message.delivered / undelivered / failed: move the member on, or park the status."""
    message = envelope.data
    status = machine.FROM_PROVIDER[envelope.type]
    at = message.updated_at or envelope.occurred_at
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        member = await store.member_by_message(session=session, message_id=message.id)
        if member is None:
            await store.park(session=session, message_id=message.id, status=status, at=at)
            return
        await tracking.apply_status(
            session=session,
            member=member,
            status=status,
            at=at,
            topic=deps.events_topic,
            now=deps.clock(),
        )


async def on_message_received(envelope: Envelope[Message], deps: Deps) -> None:
    """A reply within the window of a campaign send marks that member responded."""
    message = envelope.data
    if message.direction != "incoming":
        return
    try:
        phone = normalise(message.from_, region=deps.default_region)
    except InvalidPhone:
        return
    at = message.created_at
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        member = await store.latest_sent_to(
            session=session, phone=phone, since=at - deps.reply_window, until=at
        )
        if member is None or member.responded_at is not None:
            return
        label = sentiment.label(message.text)
        member.responded_at = at
        member.reply_message_id = message.id
        member.reply_text = message.text
        member.reply_sentiment = label
        member.status = machine.advance(member.status, "responded")
        session.add(member)
        event = MemberResponded(
            **events.member_fields(member, at), message_id=message.id, sentiment=label
        )
        await add_to_outbox(
            session, events.envelope(event, recorded_at=deps.clock()), topic=deps.events_topic
        )


async def on_consent_revoked(envelope: Envelope[ConsentRevoked], deps: Deps) -> None:
    """Suppress the number and take it out of every active campaign at once."""
    change = envelope.data
    now = deps.clock()
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        if not await _record_consent(session, change, suppressed=True):
            return
        for member in await store.active_members_of(session=session, phone=change.phone):
            if member.status == "pending":
                member.status, member.reason, member.next_attempt_at = "skipped", "opted_out", None
                event = MemberSkipped(**events.member_fields(member, now), reason="opted_out")
                await add_to_outbox(
                    session, events.envelope(event, recorded_at=now), topic=deps.events_topic
                )
            elif member.sent_at is not None and member.opted_out_at is None:
                member.opted_out_at = change.received_at
                member.status = machine.advance(member.status, "opted_out")
            session.add(member)
    if deps.eligibility is not None:
        deps.eligibility.forget(change.phone)


async def on_consent_granted(envelope: Envelope[ConsentGranted], deps: Deps) -> None:
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        await _record_consent(session, envelope.data, suppressed=False)
    if deps.eligibility is not None:
        deps.eligibility.forget(envelope.data.phone)


async def _record_consent(
    session: Any, change: ConsentRevoked | ConsentGranted, *, suppressed: bool
) -> bool:
    """Applies the change unless a later one is already recorded; True when applied."""
    row = await session.get(SuppressionRow, change.phone, with_for_update=True)
    if row is not None and row.changed_at is not None and row.changed_at > change.received_at:
        return False
    row = row or SuppressionRow(phone=change.phone, suppressed=suppressed, entry_id=change.entry_id)
    row.suppressed, row.changed_at, row.entry_id = suppressed, change.received_at, change.entry_id
    session.add(row)
    return True


async def on_contact(envelope: Envelope[Contact], deps: Deps) -> None:
    """contact.updated / contact.deleted from OpenPhone keep our contacts in sync."""
    contact = envelope.data
    phone = None
    for label, value in contact.fields.items():
        candidates = value if isinstance(value, list) else [value]
        if "phone" in label.lower():
            for candidate in candidates:
                try:
                    phone = normalise(str(candidate), region=deps.default_region)
                    break
                except InvalidPhone:
                    continue
        if phone:
            break
    values = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": contact.company,
    }
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        await contact_store.sync_openphone_contact(
            session=session,
            openphone_id=contact.id,
            phone=phone,
            values=values,
            deleted=envelope.type == "contact.deleted",
            new_id=str(uuid.uuid5(_IDS, f"openphone-contact/{contact.id}")),
        )


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
}


def dispatcher(deps: Deps) -> Callable[[Envelope[Any]], Awaitable[None]]:
    """The one handler `subscribe()` gets per topic; types it does not act on are ignored."""

    async def handle(envelope: Envelope[Any]) -> None:
        handler = HANDLERS.get(envelope.type)
        if handler is not None:
            await handler(envelope, deps)

    return handle
