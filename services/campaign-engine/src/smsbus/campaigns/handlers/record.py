"""What the domain decided for a member, recorded in the batch's transaction: the member's row
updated and its events added to the outbox (published if and only if the row commits)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns import events
from smsbus.campaigns.domain.members import Moved
from smsbus.campaigns.models import MemberRow
from smsbus.campaigns.store import members as member_store
from smsbus.runtime.outbox import add_to_outbox


async def record_move(
    *, session: AsyncSession, row: MemberRow, moved: Moved, topic: str, recorded_at: datetime
) -> None:
    member_store.save_member(session=session, row=row, member=moved.member)
    for event in moved.events:
        await add_to_outbox(session, events.envelope(event, recorded_at=recorded_at), topic=topic)
