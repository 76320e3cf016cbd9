"""Moving a member along from provider facts, in the caller's transaction (with its events)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns import events
from smsbus.campaigns.domain import status as machine
from smsbus.campaigns.models import MemberRow
from smsbus.campaigns.store import campaigns as store
from smsbus.contracts.campaigns import MemberFailed, MemberSent
from smsbus.runtime.outbox import add_to_outbox


async def apply_status(
    *,
    session: AsyncSession,
    member: MemberRow,
    status: str,
    at: datetime,
    topic: str,
    now: datetime,
) -> None:
    """A provider status (delivered / undelivered / failed) for a recorded send."""
    before = member.status
    after = machine.advance(before, status)
    if status == "delivered" and member.delivered_at is None and before not in machine.TERMINAL:
        member.delivered_at = at
    if after != before:
        member.status = after
        if after in ("failed", "undelivered"):
            member.failed_at = at
            member.reason = after
            event = MemberFailed(
                **events.member_fields(member, at), reason=after, message_id=member.message_id
            )
            await add_to_outbox(session, events.envelope(event, recorded_at=now), topic=topic)
    session.add(member)


async def record_sent(
    *,
    session: AsyncSession,
    member: MemberRow,
    message_id: str,
    line: str,
    at: datetime,
    recovered: bool,
    topic: str,
    now: datetime,
) -> None:
    """OpenPhone has the message: link it, emit member.sent, apply statuses parked for it."""
    await store.lock_message(session=session, message_id=message_id)
    member.status = machine.advance(member.status, "sent")
    member.message_id = message_id
    member.sent_at = at
    member.recovered = recovered
    session.add(member)
    sent = MemberSent(
        **events.member_fields(member, at),
        message_id=message_id,
        line=line,
        segments=member.segments or 1,
        encoding="UCS-2" if member.encoding == "UCS-2" else "GSM-7",
        recovered=recovered,
    )
    await add_to_outbox(session, events.envelope(sent, recorded_at=now), topic=topic)
    await session.flush()
    for parked in await store.unpark(session=session, message_id=message_id):
        await apply_status(
            session=session,
            member=member,
            status=parked.status,
            at=parked.occurred_at or at,
            topic=topic,
            now=now,
        )
