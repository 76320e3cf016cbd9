"""Paid line-type lookups: the cache (`phone_lookups`, with a TTL) and the monthly request
count (`lookup_usage`). Keyword-only async functions on the caller's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from smsbus.compliance.domain.phones import LineType
from smsbus.compliance.models import PhoneLookupRow
from smsbus.runtime.tables import table

LOOKUPS = table(PhoneLookupRow)

# Counted only while under the quota, in one statement: two lookups at once cannot both take
# the month's last request.
_COUNT = text(
    "INSERT INTO lookup_usage (month, requests) VALUES (:month, 1) "
    "ON CONFLICT (month) DO UPDATE SET requests = lookup_usage.requests + 1 "
    "WHERE lookup_usage.requests < :quota RETURNING requests"
)

_USED = text("SELECT requests FROM lookup_usage WHERE month = :month")


async def cached(*, conn: AsyncConnection, phone: str, now: datetime) -> dict[str, Any] | None:
    """The number's unexpired cached answer (its row), if any."""
    query = select(LOOKUPS).where(LOOKUPS.c.phone == phone, LOOKUPS.c.expires_at > now)
    row = (await conn.execute(query)).mappings().first()
    return None if row is None else dict(row)


async def cached_line_types(
    *, conn: AsyncConnection, phones: Sequence[str], now: datetime
) -> dict[str, LineType]:
    """Phone → line type, for those of `phones` with an unexpired cached answer."""
    query = select(LOOKUPS.c.phone, LOOKUPS.c.line_type).where(
        LOOKUPS.c.phone.in_(phones), LOOKUPS.c.expires_at > now
    )
    return {row.phone: row.line_type for row in (await conn.execute(query)).all()}


async def count_request(*, conn: AsyncConnection, month: str, quota: int) -> int | None:
    """Counts one paid request against `month`; the month's count, or None when the quota is
    reached (nothing counted)."""
    used: int | None = await conn.scalar(_COUNT, {"month": month, "quota": quota})
    return used


async def requests_in(*, conn: AsyncConnection, month: str) -> int:
    """The paid requests counted against `month`."""
    used = await conn.scalar(
        text("SELECT requests FROM lookup_usage WHERE month = :month"), {"month": month}
    )
    return int(used or 0)


async def save(
    *,
    conn: AsyncConnection,
    phone: str,
    provider: str,
    line_type: LineType,
    carrier: str | None,
    payload: dict[str, Any],
    fetched_at: datetime,
    expires_at: datetime,
) -> None:
    """Caches an answer, replacing the number's previous one."""
    values = {
        "phone": phone,
        "provider": provider,
        "line_type": line_type,
        "carrier": carrier,
        "payload": payload,
        "fetched_at": fetched_at,
        "expires_at": expires_at,
    }
    statement = insert(LOOKUPS).values(**values)
    await conn.execute(statement.on_conflict_do_update(index_elements=["phone"], set_=values))
