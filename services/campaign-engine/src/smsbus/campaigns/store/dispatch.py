"""What the dispatcher reads and writes, a batch at a time: one statement per step whatever the
batch's size (arrays as parameters, never a statement per member). Claims (FOR UPDATE SKIP
LOCKED), locks, limits, history, the members' new state, and the counts an unsent request gives
back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, any_, bindparam, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain.caps import ContactHistory, campaign_day
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow
from smsbus.runtime.db import execute

_IDS = bindparam("ids", type_=ARRAY(String))


async def claim_due(*, session: AsyncSession, now: datetime, limit: int) -> list[MemberRow]:
    """Up to `limit` due pending members of running campaigns, oldest due first, locked until
    the transaction ends; rows another transaction holds are skipped (replicas and the
    dispatcher's own lanes share the work).

    The running campaigns are an array, not a join: members are then read in the due index's
    order and the scan stops at `limit`, whatever the planner knows of the small campaigns
    table (a join it misjudges sorts every due member, at every claim)."""
    running = select(CampaignRow.id).where(col(CampaignRow.status) == "running")
    statement = (
        select(MemberRow)
        .where(
            col(MemberRow.status) == "pending",
            col(MemberRow.next_attempt_at) <= now,
            col(MemberRow.campaign_id) == any_(func.array(running.scalar_subquery())),
        )
        .order_by(col(MemberRow.next_attempt_at), col(MemberRow.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.exec(statement)).all())


async def contacts(*, session: AsyncSession, ids: Sequence[str]) -> dict[str, ContactRow]:
    statement = select(ContactRow).where(col(ContactRow.id) == any_(_IDS))
    rows = await session.exec(statement, params={"ids": list(set(ids))})
    return {row.id: row for row in rows}


async def lock_campaigns(*, session: AsyncSession, ids: Sequence[str]) -> dict[str, CampaignRow]:
    """The campaigns, locked and read afresh: serialises limit accounting per campaign across
    replicas and lanes (in id order: no deadlocks)."""
    statement = (
        select(CampaignRow)
        .where(col(CampaignRow.id) == any_(_IDS))
        .order_by(col(CampaignRow.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = await session.exec(statement, params={"ids": sorted(set(ids))})
    return {row.id: row for row in rows}


async def lock_lines(*, session: AsyncSession, lines: Sequence[str]) -> None:
    """Serialises the line segment budgets of campaigns sharing a line (taken after the
    campaigns' locks, before the numbers'; each in sorted order)."""
    if lines:
        await _advisory_locks(session, "smsbus.campaigns.line.", lines)


async def lock_phones(*, session: AsyncSession, phones: Sequence[str]) -> None:
    """Serialises per-number caps across campaigns and replicas."""
    if phones:
        await _advisory_locks(session, "smsbus.campaigns.phone.", phones)


async def _advisory_locks(session: AsyncSession, prefix: str, keys: Sequence[str]) -> None:
    await execute(
        session,
        text(
            "SELECT pg_advisory_xact_lock(hashtext(:prefix || k)) "
            "FROM (SELECT DISTINCT unnest(CAST(:keys AS text[])) AS k ORDER BY 1) AS sorted"
        ),
        {"prefix": prefix, "keys": list(keys)},
    )


async def usage(*, session: AsyncSession, days: Mapping[str, date]) -> dict[str, int]:
    """Sends counted today per campaign (`days`: campaign id → its current day)."""
    if not days:
        return {}
    rows = await execute(
        session,
        text("SELECT campaign_id, day, used FROM campaign_days WHERE campaign_id = ANY(:ids)"),
        {"ids": list(days)},
    )
    found = {r.campaign_id: r.used for r in rows if days.get(r.campaign_id) == r.day}
    return {campaign: found.get(campaign, 0) for campaign in days}


async def count_usage(*, session: AsyncSession, counts: Mapping[tuple[str, date], int]) -> None:
    """Adds to the sends counted per (campaign, day), all in one statement."""
    await _add_per_day(
        session, table="campaign_days", key="campaign_id", total="used", counts=counts
    )


async def line_segments(
    *, session: AsyncSession, lines: Sequence[str], day: date
) -> dict[str, int]:
    """Segments requested today per line (for the campaigns' `line_segment_budget`)."""
    rows = await execute(
        session,
        text("SELECT line, segments FROM line_days WHERE line = ANY(:l) AND day = :d"),
        {"l": list(lines), "d": day},
    )
    found = {r.line: r.segments for r in rows}
    return {line: found.get(line, 0) for line in lines}


async def count_segments(*, session: AsyncSession, counts: Mapping[tuple[str, date], int]) -> None:
    """Adds to the segments counted per (line, UTC day), all in one statement."""
    await _add_per_day(session, table="line_days", key="line", total="segments", counts=counts)


async def _add_per_day(
    session: AsyncSession,
    *,
    table: str,
    key: str,
    total: str,
    counts: Mapping[tuple[str, date], int],
) -> None:
    """Adds `counts` to `table`'s `total` per (`key`, day); `table`, `key` and `total` are
    this module's constants, never input."""
    keys = sorted(counts)  # one row order for every writer: no deadlocks
    await execute(
        session,
        text(
            f"INSERT INTO {table} ({key}, day, {total}) "
            "SELECT * FROM unnest(CAST(:k AS text[]), CAST(:d AS date[]), CAST(:n AS int[])) "
            f"ON CONFLICT ({key}, day) DO UPDATE SET {total} = {table}.{total} + EXCLUDED.{total}"
        ),
        {"k": [k[0] for k in keys], "d": [k[1] for k in keys], "n": [counts[k] for k in keys]},
    )


async def histories(
    *, session: AsyncSession, phones: Sequence[str], now: datetime, gap: timedelta
) -> dict[str, ContactHistory]:
    """Campaign sends to these numbers (intents count: they are as good as sent)."""
    rows = await execute(
        session,
        text(
            "SELECT m.phone, m.intent_at, m.campaign_id, c.purpose FROM members m "
            "JOIN campaigns c ON c.id = m.campaign_id "
            "WHERE m.phone = ANY(:p) AND m.intent_at IS NOT NULL AND m.intent_at > :since "
            "AND m.status NOT IN ('pending', 'skipped') ORDER BY m.intent_at DESC"
        ),
        {"p": list(phones), "since": now - max(gap, timedelta(hours=24))},
    )
    sends: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        sends[row.phone].append(row)
    result = {}
    for phone in phones:
        found = sends.get(phone, [])
        result[phone] = ContactHistory(
            marketing_sends=[r.intent_at for r in found if r.purpose == "marketing"],
            last_campaign_send=found[0].intent_at if found else None,
            last_campaign_id=found[0].campaign_id if found else None,
        )
    return result


async def suppressed(*, session: AsyncSession, phones: Sequence[str]) -> set[str]:
    rows = await execute(
        session,
        text("SELECT phone FROM consent_suppressions WHERE phone = ANY(:p) AND suppressed"),
        {"p": list(phones)},
    )
    return {r[0] for r in rows}


@dataclass(frozen=True)
class MemberChange:
    """A member's state after its decision: every column the dispatcher writes, unchanged ones
    as they were read (the row is locked from its claim to the commit)."""

    id: str
    status: str
    reason: str | None
    next_attempt_at: datetime | None
    text: str | None
    segments: int | None
    encoding: str | None
    intent_at: datetime | None
    attempts: int


_UPDATE_MEMBERS = text(
    """
    UPDATE members AS m SET status = v.status, reason = v.reason,
        next_attempt_at = v.next_attempt_at, text = v.text, segments = v.segments,
        encoding = v.encoding, intent_at = v.intent_at, attempts = v.attempts
    FROM unnest(CAST(:id AS text[]), CAST(:status AS text[]), CAST(:reason AS text[]),
                CAST(:next_attempt_at AS timestamptz[]), CAST(:text AS text[]),
                CAST(:segments AS int[]), CAST(:encoding AS text[]),
                CAST(:intent_at AS timestamptz[]), CAST(:attempts AS int[]))
        AS v(id, status, reason, next_attempt_at, text, segments, encoding, intent_at, attempts)
    WHERE m.id = v.id
    """
)
_CHANGE_COLUMNS = tuple(MemberChange.__dataclass_fields__)


async def update_members(*, session: AsyncSession, changes: Sequence[MemberChange]) -> None:
    """Every member's new state in one statement."""
    if changes:
        columns = {name: [getattr(c, name) for c in changes] for name in _CHANGE_COLUMNS}
        await execute(session, _UPDATE_MEMBERS, columns)


async def give_back(*, session: AsyncSession, member: MemberRow, line: str, zone: str) -> None:
    """What an unsent request counted (the campaign's day, the line's segments) is returned,
    on the days it was counted (its intent's)."""
    if member.intent_at is None:
        return
    day = campaign_day(member.intent_at, zone)
    await count_usage(session=session, counts={(member.campaign_id, day): -1})
    utc_day = member.intent_at.astimezone(UTC).date()
    await count_segments(session=session, counts={(line, utc_day): -(member.segments or 1)})
