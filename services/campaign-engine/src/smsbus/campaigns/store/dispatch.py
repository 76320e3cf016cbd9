"""What the dispatcher reads and writes: claims (FOR UPDATE SKIP LOCKED), limits, history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain.caps import ContactHistory
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
_CLAIM_STALE = text(
    """
    SELECT id FROM members
    WHERE status = 'sending' AND lease_until < now()
    ORDER BY lease_until, id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
    """
)
_MEMBERS = text(
    """
    SELECT m.id, m.campaign_id, m.contact_id, m.phone, m.variant, m.text, m.intent_at,
           m.segments, m.encoding, c.line
    FROM members m JOIN campaigns c ON c.id = m.campaign_id WHERE m.id = ANY(:ids)
    """
)


@dataclass(frozen=True)
class Intent:
    """A send recorded before OpenPhone is called."""

    member_id: str
    campaign_id: str
    contact_id: str
    phone: str
    variant: str
    line: str
    text: str
    segments: int
    encoding: str
    intent_at: datetime


async def claim_due(*, session: AsyncSession, now: datetime, limit: int) -> list[str]:
    rows = await execute(session, _CLAIM_DUE, {"now": now, "limit": limit})
    return [row[0] for row in rows]


async def claim_stale_intents(*, session: AsyncSession, limit: int, lease: float) -> list[Intent]:
    """Intents whose replica's lease ran out (it crashed, or the outcome was unknown): taken
    over with a fresh lease."""
    ids = [r[0] for r in await execute(session, _CLAIM_STALE, {"limit": limit})]
    if not ids:
        return []
    await execute(
        session,
        text(
            "UPDATE members SET lease_until = now() + make_interval(secs => :s) "
            "WHERE id = ANY(:ids)"
        ),
        {"s": lease, "ids": ids},
    )
    rows = await execute(session, _MEMBERS, {"ids": ids})
    return [
        Intent(
            r.id,
            r.campaign_id,
            r.contact_id,
            r.phone,
            r.variant,
            r.line,
            r.text,
            r.segments or 1,
            r.encoding or "GSM-7",
            r.intent_at,
        )
        for r in rows
    ]


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


@dataclass(frozen=True)
class LineDay:
    segments: int
    capped_until: datetime | None


async def line_days(
    *, session: AsyncSession, lines: Sequence[str], day: date
) -> dict[str, LineDay]:
    rows = await execute(
        session,
        text(
            "SELECT line, segments, capped_until FROM line_days WHERE line = ANY(:l) AND day = :d"
        ),
        {"l": list(lines), "d": day},
    )
    found = {r.line: LineDay(r.segments, r.capped_until) for r in rows}
    return {line: found.get(line, LineDay(0, None)) for line in lines}


async def count_segments(
    *, session: AsyncSession, line: str, day: date, delta: int, capped_until: datetime | None = None
) -> None:
    await execute(
        session,
        text(
            "INSERT INTO line_days (line, day, segments, capped_until) VALUES (:l, :d, :n, :c) "
            "ON CONFLICT (line, day) DO UPDATE SET segments = line_days.segments + :n, "
            "capped_until = coalesce(:c, line_days.capped_until)"
        ),
        {"l": line, "d": day, "n": delta, "c": capped_until},
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
    lease: float,
) -> None:
    await execute(
        session,
        text(
            "UPDATE members SET status = 'sending', text = :t, segments = :s, encoding = :e, "
            "intent_at = :now, attempts = attempts + 1, "
            "lease_until = now() + make_interval(secs => :lease) WHERE id = :id"
        ),
        {"t": text_, "s": segments, "e": encoding, "now": now, "lease": lease, "id": member_id},
    )


async def extend_lease(*, session: AsyncSession, member_id: str, seconds: float) -> None:
    await execute(
        session,
        text("UPDATE members SET lease_until = now() + make_interval(secs => :s) WHERE id = :id"),
        {"s": seconds, "id": member_id},
    )
