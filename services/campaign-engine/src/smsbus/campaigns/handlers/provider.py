"""OpenPhone's facts as ingest routed them: delivery statuses, replies, contacts."""

from __future__ import annotations

import uuid

from smsbus.campaigns import events, tracking
from smsbus.campaigns.domain import sentiment
from smsbus.campaigns.domain import status as machine
from smsbus.campaigns.domain.contacts import InvalidPhone, address_of, normalise
from smsbus.campaigns.handlers.deps import Deps
from smsbus.campaigns.store import campaigns as store
from smsbus.campaigns.store import contacts as contact_store
from smsbus.contracts import Contact, Envelope, Message
from smsbus.contracts.campaigns import MemberResponded
from smsbus.runtime.outbox import add_to_outbox
from smsbus.runtime.routes import Unit

_IDS = uuid.UUID("3c1f6a52-7d0e-5b8a-9e2f-4a6b8c0d1e2f")


async def on_message_status(envelope: Envelope[Message], unit: Unit, deps: Deps) -> None:
    """message.delivered / undelivered / failed: move the member on, or park the status."""
    message = envelope.data
    status = machine.FROM_PROVIDER[envelope.type]
    at = message.updated_at or envelope.occurred_at
    session = unit.session
    await store.lock_message(session=session, message_id=message.id)
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


async def on_message_received(envelope: Envelope[Message], unit: Unit, deps: Deps) -> None:
    """A reply within the window of a campaign send marks that member responded."""
    message = envelope.data
    if message.direction != "incoming":
        return
    try:
        phone = normalise(message.from_, region=deps.default_region)
    except InvalidPhone:
        return
    at = message.created_at
    session = unit.session
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


async def on_contact(envelope: Envelope[Contact], unit: Unit, deps: Deps) -> None:
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
        **address_of(contact.fields),  # the address's state and ZIP: their rules apply
    }
    session = unit.session
    await contact_store.sync_openphone_contact(
        session=session,
        openphone_id=contact.id,
        phone=phone,
        values=values,
        deleted=envelope.type == "contact.deleted",
        new_id=str(uuid.uuid5(_IDS, f"openphone-contact/{contact.id}")),
    )
