"""A member's row to the domain's `Member` and back, in the session's unit of work: rows are
loaded (locked) here, the domain decides on plain copies, and what it decided is written back
onto the same rows, flushed when the transaction commits."""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain.members import Member
from smsbus.campaigns.models import MemberRow

_MEMBER_FIELDS = tuple(field.name for field in fields(Member))


def as_member(row: MemberRow) -> Member:
    return Member(**{name: getattr(row, name) for name in _MEMBER_FIELDS})


async def member_for_update(*, session: AsyncSession, member_id: str) -> MemberRow | None:
    """The member's row, locked until the transaction ends."""
    return await session.get(MemberRow, member_id, with_for_update=True)


def save_member(*, session: AsyncSession, row: MemberRow, member: Member) -> None:
    """The domain's member written onto its (loaded, locked) row."""
    if row.id != member.id:
        raise ValueError(f"member {member.id} is not row {row.id}")
    for name, value in asdict(member).items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    session.add(row)
