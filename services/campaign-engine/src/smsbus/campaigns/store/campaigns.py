"""Campaigns, their members, tracking by message id, and the numbers behind the statistics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain import ab
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow, ParkedStatusRow
from smsbus.runtime.db import execute

_MEMBERS = MemberRow.__table__  # type: ignore[attr-defined]
_CAMPAIGNS = CampaignRow.__table__  # type: ignore[attr-defined]
_PARKED = ParkedStatusRow.__table__  # type: ignore[attr-defined]


async def get_campaign(
    *, session: AsyncSession, campaign_id: str, lock: bool = False
) -> CampaignRow | None:
    statement = select(CampaignRow).where(CampaignRow.id == campaign_id)
    if lock:
        statement = statement.with_for_update()
    return (await session.exec(statement)).one_or_none()


async def campaigns(
    *, session: AsyncSession, ids: Sequence[str] | None = None, fresh: bool = False
) -> list[CampaignRow]:
    statement = select(CampaignRow).order_by(col(CampaignRow.created_at), col(CampaignRow.id))
    if fresh:
        statement = statement.execution_options(populate_existing=True)
    if ids is not None:
        statement = statement.where(col(CampaignRow.id).in_(list(ids)))
    return list((await session.exec(statement)).all())


async def add_members(
    *,
    session: AsyncSession,
    campaign: CampaignRow,
    contacts: Sequence[ContactRow],
    new_id: Callable[[], str],
    now: datetime,
) -> tuple[int, int]:
    """Adds contacts as pending members (variant by stable hash); (added, duplicates by phone)."""
    weights = [(v["name"], float(v["weight"])) for v in campaign.variants]
    values = [
        {
            "id": new_id(),
            "campaign_id": campaign.id,
            "contact_id": contact.id,
            "phone": contact.phone,
            "variant": ab.assign(campaign.id, contact.id, weights),
            "status": "pending",
            "next_attempt_at": now,
            "attempts": 0,
            "recovered": False,
        }
        for contact in contacts
    ]
    added = 0
    for start in range(0, len(values), 1000):
        chunk = values[start : start + 1000]
        statement = insert(_MEMBERS).values(chunk).on_conflict_do_nothing()
        result = await execute(session, statement.returning(_MEMBERS.c.id))
        added += len(result.all())
    return added, len(values) - added


async def members_page(
    *, session: AsyncSession, campaign_id: str, status: str | None, limit: int, offset: int
) -> list[MemberRow]:
    statement = select(MemberRow).where(MemberRow.campaign_id == campaign_id)
    if status:
        statement = statement.where(MemberRow.status == status)
    statement = statement.order_by(col(MemberRow.id)).limit(limit).offset(offset)
    return list((await session.exec(statement)).all())


async def member_by_message(*, session: AsyncSession, message_id: str) -> MemberRow | None:
    statement = select(MemberRow).where(MemberRow.message_id == message_id).with_for_update()
    return (await session.exec(statement)).one_or_none()


async def lock_message(*, session: AsyncSession, message_id: str) -> None:
    """Serialises parking a status for a message with recording that message's send: the two
    come from different topics (a webhook, the egress's result) and are handled concurrently;
    without it a status parked while the send was being recorded would stay parked."""
    await execute(
        session,
        text("SELECT pg_advisory_xact_lock(hashtext('smsbus.campaigns.message.' || :m))"),
        {"m": message_id},
    )


async def park(*, session: AsyncSession, message_id: str, status: str, at: datetime) -> None:
    statement = (
        insert(_PARKED)
        .values(message_id=message_id, status=status, occurred_at=at)
        .on_conflict_do_nothing()
    )
    await execute(session, statement)


async def unpark(*, session: AsyncSession, message_id: str) -> list[ParkedStatusRow]:
    rows = await execute(
        session,
        text(
            "DELETE FROM parked_statuses WHERE message_id = :m "
            "RETURNING message_id, status, occurred_at, parked_at"
        ),
        {"m": message_id},
    )
    return [ParkedStatusRow(**row._mapping) for row in rows]


async def latest_sent_to(
    *, session: AsyncSession, phone: str, since: datetime, until: datetime
) -> MemberRow | None:
    """The member most recently sent to this number within the reply window."""
    statement = (
        select(MemberRow)
        .where(
            MemberRow.phone == phone,
            col(MemberRow.sent_at).is_not(None),
            col(MemberRow.sent_at) >= since,
            col(MemberRow.sent_at) <= until,
        )
        .order_by(col(MemberRow.sent_at).desc())
        .limit(1)
        .with_for_update()
    )
    return (await session.exec(statement)).one_or_none()


async def active_members_of(
    *, session: AsyncSession, phone: str, purpose: str | None = None
) -> list[MemberRow]:
    """This number's members in campaigns that are not finished (of that purpose, if given)."""
    statement = (
        select(MemberRow)
        .join(CampaignRow, col(CampaignRow.id) == col(MemberRow.campaign_id))
        .where(
            MemberRow.phone == phone,
            col(CampaignRow.status).in_(["draft", "scheduled", "running", "paused"]),
        )
        .with_for_update(of=MemberRow)
    )
    if purpose is not None:
        statement = statement.where(CampaignRow.purpose == purpose)
    return list((await session.exec(statement)).all())


async def start_scheduled(*, session: AsyncSession, now: datetime) -> None:
    """Scheduled campaigns whose time has come start running."""
    await execute(
        session,
        text(
            "UPDATE campaigns SET status = 'running', started_at = :now "
            "WHERE status = 'scheduled' AND scheduled_at <= :now"
        ),
        {"now": now},
    )


async def finish_drained(*, session: AsyncSession, now: datetime) -> list[str]:
    """Running campaigns with no pending or in-flight member are completed."""
    rows = await execute(
        session,
        text(
            "UPDATE campaigns c SET status = 'completed', finished_at = :now "
            "WHERE c.status = 'running' AND NOT EXISTS (SELECT 1 FROM members m "
            "WHERE m.campaign_id = c.id AND m.status IN ('pending', 'sending')) RETURNING id"
        ),
        {"now": now},
    )
    return [r[0] for r in rows]


async def pause_running(
    *, session: AsyncSession, campaign_id: str, reason: str, now: datetime
) -> bool:
    """A running campaign is paused with the reason; False when it was not running (already
    paused keeps its first reason: that is what someone has to fix)."""
    rows = await execute(
        session,
        text(
            "UPDATE campaigns SET status = 'paused', pause_reason = :r, paused_at = :now "
            "WHERE id = :c AND status = 'running' RETURNING id"
        ),
        {"c": campaign_id, "r": reason, "now": now},
    )
    return rows.first() is not None


async def paused_by_reason(*, session: AsyncSession) -> dict[str, int]:
    rows = await execute(
        session,
        text(
            "SELECT coalesce(pause_reason, 'manual') AS reason, count(*) AS n FROM campaigns "
            "WHERE status = 'paused' GROUP BY 1"
        ),
    )
    return {str(r.reason): int(r.n) for r in rows}


_COUNTS = text(
    """
    SELECT variant,
           count(*) AS members,
           count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'sending') AS sending,
           count(*) FILTER (WHERE status = 'skipped') AS skipped,
           count(sent_at) AS sent,
           count(*) FILTER (WHERE delivered_at IS NOT NULL OR responded_at IS NOT NULL)
               AS delivered,
           count(*) FILTER (WHERE status IN ('failed', 'undelivered')) AS failed,
           count(responded_at) AS responded,
           count(opted_out_at) AS opted_out,
           count(*) FILTER (WHERE status = 'skipped' AND reason = 'opted_out') AS skipped_opted_out
    FROM members WHERE campaign_id = :c GROUP BY variant ORDER BY variant
    """
)


async def counts(*, session: AsyncSession, campaign_id: str) -> list[dict[str, Any]]:
    rows = await execute(session, _COUNTS, {"c": campaign_id})
    return [dict(row._mapping) for row in rows]


async def skip_reasons(*, session: AsyncSession, campaign_id: str) -> dict[str, int]:
    rows = await execute(
        session,
        text(
            "SELECT reason, count(*) AS n FROM members "
            "WHERE campaign_id = :c AND status = 'skipped' GROUP BY reason ORDER BY reason"
        ),
        {"c": campaign_id},
    )
    return {str(r.reason or ""): int(r.n) for r in rows}


_PROGRESS = text(
    """
    SELECT c.id AS campaign_id, c.name, m.variant,
           count(*) FILTER (WHERE m.status IN ('pending', 'sending')) AS waiting,
           count(m.sent_at) AS sent,
           count(*) FILTER (WHERE m.delivered_at IS NOT NULL OR m.responded_at IS NOT NULL)
               AS delivered,
           count(*) FILTER (WHERE m.status IN ('failed', 'undelivered')) AS failed,
           count(m.responded_at) AS responded,
           count(m.opted_out_at) AS opted_out,
           count(*) FILTER (WHERE m.status = 'skipped') AS skipped
    FROM campaigns c JOIN members m ON m.campaign_id = c.id
    WHERE c.status IN ('scheduled', 'running', 'paused') OR c.finished_at > :since
    GROUP BY c.id, c.name, m.variant
    """
)


async def progress(*, session: AsyncSession, since: datetime) -> list[dict[str, Any]]:
    """Member counts per variant of every campaign not finished, or finished after `since`."""
    return [dict(row._mapping) for row in await execute(session, _PROGRESS, {"since": since})]


async def limited(*, session: AsyncSession) -> list[CampaignRow]:
    """The running campaigns with a daily limit."""
    query = select(CampaignRow).where(
        col(CampaignRow.status) == "running", col(CampaignRow.daily_limit).is_not(None)
    )
    return list((await session.exec(query)).all())
