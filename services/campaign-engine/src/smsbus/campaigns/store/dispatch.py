"""What the dispatcher reads and writes: claims (FOR UPDATE SKIP LOCKED), limits, history,
and the counts an unsent request gives back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain.caps import ContactHistory, campaign_day
from smsbus.campaigns.models import MemberRow
from smsbus.runtime.db import execute

_CLAIM_DUE = text(
    """
    SELECT m.id FROM members m JOIN campaigns c ON c.id = m.campaign_id
    WHERE m.status = 'pending' AND m.next_attempt_at <= :now AND c.status = 'running'
    ORDER BY m.next_attempt_at, m.id
    LIMIT :limit
    FOR UPDATE OF m SKIP LOCKED
    """
)


async def claim_due(*, session: AsyncSession, now: datetime, limit: int) -> list[str]:
    rows = await execute(session, _CLAIM_DUE, {"now": now, "limit": limit})
    return [row[0] for row in rows]


async def lock_campaigns(*, session: AsyncSession, ids: Sequence[str]) -> None:
    """Serialises limit accounting per campaign across replicas (sorted: no deadlocks)."""
    await execute(
        session,
        text("SELECT id FROM campaigns WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"),
        {"ids": sorted(ids)},
    )


async def lock_phones(*, session: AsyncSession, phones: Sequence[str]) -> None:
    """Serialises per-number caps across campaigns and replicas."""
    for phone in sorted(set(phones)):
        await execute(
            session,
            text("SELECT pg_advisory_xact_lock(hashtext('smsbus.campaigns.phone.' || :p))"),
            {"p": phone},
        )


async def usage(*, session: AsyncSession, days: dict[str, date]) -> dict[str, int]:
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


async def count_usage(*, session: AsyncSession, campaign_id: str, day: date, delta: int) -> None:
    await execute(
        session,
        text(
            "INSERT INTO campaign_days (campaign_id, day, used) VALUES (:c, :d, :n) "
            "ON CONFLICT (campaign_id, day) DO UPDATE SET used = campaign_days.used + :n"
        ),
        {"c": campaign_id, "d": day, "n": delta},
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


async def count_segments(*, session: AsyncSession, line: str, day: date, delta: int) -> None:
    await execute(
        session,
        text(
            "INSERT INTO line_days (line, day, segments) VALUES (:l, :d, :n) "
            "ON CONFLICT (line, day) DO UPDATE SET segments = line_days.segments + :n"
        ),
        {"l": line, "d": day, "n": delta},
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


async def update_member(*, session: AsyncSession, member_id: str, **values: Any) -> None:
    columns = ", ".join(f"{name} = :{name}" for name in values)
    await execute(
        session,
        text(f"UPDATE members SET {columns} WHERE id = :member_id"),
        {"member_id": member_id, **values},
    )


async def record_intent(
    *,
    session: AsyncSession,
    member_id: str,
    text_: str,
    segments: int,
    encoding: str,
    now: datetime,
) -> int:
    """The member is `sending` this text from now; returns its attempt number (the request's)."""
    rows = await execute(
        session,
        text(
            "UPDATE members SET status = 'sending', text = :t, segments = :s, encoding = :e, "
            "intent_at = :now, attempts = attempts + 1 WHERE id = :id RETURNING attempts"
        ),
        {"t": text_, "s": segments, "e": encoding, "now": now, "id": member_id},
    )
    return int(rows.scalar_one())


async def give_back(*, session: AsyncSession, member: MemberRow, line: str, zone: str) -> None:
    """What an unsent request counted (the campaign's day, the line's segments) is returned,
    on the days it was counted (its intent's)."""
    if member.intent_at is None:
        return
    await count_usage(
        session=session,
        campaign_id=member.campaign_id,
        day=campaign_day(member.intent_at, zone),
        delta=-1,
    )
    await count_segments(
        session=session,
        line=line,
        day=member.intent_at.astimezone(UTC).date(),
        delta=-(member.segments or 1),
    )
