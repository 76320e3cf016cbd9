"""OpenPhone's facts as ingest routed them: delivery statuses, replies, contacts. What each does
to a member is domain/members.py's; finding the contact's number is domain/contacts.py's."""

from __future__ import annotations

import uuid

from smsbus.campaigns.domain import members
from smsbus.campaigns.domain import status as machine
from smsbus.campaigns.domain.contacts import address_of, phone_among, reply_sender
from smsbus.campaigns.handlers.deps import Deps
from smsbus.campaigns.handlers.record import record_move
from smsbus.campaigns.store import campaigns as store
from smsbus.campaigns.store import contacts as contact_store
from smsbus.campaigns.store.members import as_member
from smsbus.contracts import Contact, Envelope, Message
from smsbus.runtime.routes import Unit

_IDS = uuid.UUID("3c1f6a52-7d0e-5b8a-9e2f-4a6b8c0d1e2f")


async def on_message_status(envelope: Envelope[Message], unit: Unit, deps: Deps) -> None:
    """message.delivered / undelivered / failed: move the member on, or park the status (it is
    applied when the send is recorded, handlers/results.py)."""
    message = envelope.data
    status = machine.FROM_PROVIDER[envelope.type]
    at = message.updated_at or envelope.occurred_at
    session = unit.session
    await store.lock_message(session=session, message_id=message.id)
    row = await store.member_by_message(session=session, message_id=message.id)
    if row is None:
        await store.park(session=session, message_id=message.id, status=status, at=at)
        return
    moved = members.after_status(as_member(row), status, at)
    await record_move(
        session=session, row=row, moved=moved, topic=deps.events_topic, recorded_at=deps.clock()
    )


async def on_message_received(envelope: Envelope[Message], unit: Unit, deps: Deps) -> None:
    """A reply within the window of a campaign send marks that member responded."""
    message = envelope.data
    phone = reply_sender(message.direction, message.from_, region=deps.default_region)
    if phone is None:
        return
    at = message.created_at
    session = unit.session
    row = await store.latest_sent_to(
        session=session, phone=phone, since=at - deps.reply_window, until=at
    )
    if row is None:
        return
    moved = members.after_reply(as_member(row), message_id=message.id, text=message.text, at=at)
    if moved is not None:
        await record_move(
            session=session, row=row, moved=moved, topic=deps.events_topic, recorded_at=deps.clock()
        )


async def on_contact(envelope: Envelope[Contact], unit: Unit, deps: Deps) -> None:
    """contact.updated / contact.deleted from OpenPhone keep our contacts in sync."""
    contact = envelope.data
    values = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company": contact.company,
        **address_of(contact.fields),  # the address's state and ZIP: their rules apply
    }
    await contact_store.sync_openphone_contact(
        session=unit.session,
        openphone_id=contact.id,
        phone=phone_among(contact.fields, region=deps.default_region),
        values=values,
        deleted=envelope.type == "contact.deleted",
        new_id=str(uuid.uuid5(_IDS, f"openphone-contact/{contact.id}")),
    )
