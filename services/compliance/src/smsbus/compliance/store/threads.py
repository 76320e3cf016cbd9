"""What an inbound reply answered: the purpose of the last campaign text the egress sent the
person on the line the reply came in on, before it (the revocation scope `purpose` reads it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

# A text counts once a POST was made (sent, or its outcome still being looked up); the line
# may be written as its `PN…` id or as our number, so either matches.
_REPLIED_TO = text(
    """
    SELECT asked.place, (
      SELECT o.purpose FROM outbound_messages o
      WHERE o.phone = asked.phone AND o.line IN (asked.line, asked.line_number)
        AND o.purpose IN ('marketing', 'transactional') AND o.status IN ('sent', 'sending')
        AND coalesce(o.sent_at, o.send_started_at) <= asked.before
      ORDER BY coalesce(o.sent_at, o.send_started_at) DESC LIMIT 1) AS purpose
    FROM jsonb_to_recordset(CAST(:asks AS jsonb))
      AS asked(place int, phone text, line text, line_number text, before timestamptz)
    """
)


@dataclass(frozen=True)
class Reply:
    phone: str
    line: str
    line_number: str | None
    received_at: datetime


async def replied_to(*, session: AsyncSession, replies: Sequence[Reply]) -> list[str | None]:
    """For each reply, in order: `marketing`, `transactional`, or None (no campaign text)."""
    if not replies:
        return []
    asks = [
        {"place": place, "phone": r.phone, "line": r.line, "line_number": r.line_number,
         "before": r.received_at.isoformat()}
        for place, r in enumerate(replies)
    ]  # fmt: skip
    rows = await (await session.connection()).execute(_REPLIED_TO, {"asks": json.dumps(asks)})
    found = {row.place: row.purpose for row in rows}
    return [found.get(place) for place in range(len(replies))]
