"""The egress's SQL: requests in, due work by priority, per-request and per-number locks, each
state change, the line's daily count, and the audit listing. Keyword-only functions.

The sender works on its own autocommit connection: "about to POST" is durable before the POST
leaves, and the session-level advisory locks (a request's, a number's) are released by
PostgreSQL the moment a killed process's connection drops. A number's lock is the very lock
compliance's opt-out handling takes (`pg_advisory_xact_lock` on the same key), so a send and an
opt-out of one number never interleave.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.domain.gate import PRIORITY
from smsbus.runtime.db import execute

NOTIFY_CHANNEL = "smsbus_compliance_egress"
OPEN = ("pending", "held", "sending")
NUMBER_KEY = "hashtextextended('compliance.number:' || :phone, 0)"
_REQUEST_KEY = "hashtextextended('compliance.egress:' || :id, 0)"

_INSERT = text(
    """
    WITH added AS (
      INSERT INTO outbound_messages (
        id, purpose, priority, requester, phone, line, text, campaign_id, member_id, send_window,
        recipient_state, trigger_message_id, status, requested_at, expires_at, next_attempt_at,
        attempts, recovered)
      VALUES (:id, :purpose, :priority, :requester, :phone, :line, :text, :campaign_id,
        :member_id, CAST(:send_window AS jsonb), :recipient_state, :trigger_message_id, 'pending',
        :requested_at, :expires_at, :received_at, 0, false)
      ON CONFLICT (id) DO NOTHING RETURNING 1)
    SELECT pg_notify('smsbus_compliance_egress', current_schema()) FROM added
    """
)
_DUE = text(
    "SELECT id FROM outbound_messages WHERE status IN ('pending', 'held', 'sending') "
    "AND next_attempt_at <= :now AND priority BETWEEN :low AND :high "
    "ORDER BY priority, next_attempt_at LIMIT :limit"
)
_ROW = text("SELECT * FROM outbound_messages WHERE id = :id")


@dataclass(frozen=True)
class NewRequest:
    id: str
    purpose: str
    requester: str
    phone: str
    line: str
    text: str
    requested_at: datetime
    campaign_id: str | None = None
    member_id: str | None = None
    send_window: str | None = None
    """The requester's window as JSON (SendWindow), for marketing."""
    recipient_state: str | None = None
    trigger_message_id: str | None = None
    expires_at: datetime | None = None
    received_at: datetime | None = None
    """The egress's own time of receipt: first due then (the requester's clock may run ahead)."""


def request_values(request: NewRequest) -> dict[str, Any]:
    received = request.received_at or request.requested_at
    return {**request.__dict__, "priority": PRIORITY[request.purpose], "received_at": received}


async def add_request(*, conn: AsyncConnection, request: NewRequest) -> None:
    """Queues a request in the caller's transaction (the same id twice is one request) and
    wakes the sender at commit."""
    await conn.execute(_INSERT, request_values(request))


async def due_ids(
    *, conn: AsyncConnection, now: datetime, priorities: tuple[int, int], limit: int
) -> list[str]:
    low, high = priorities
    params = {"now": now, "low": low, "high": high, "limit": limit}
    return list((await conn.execute(_DUE, params)).scalars().all())


async def try_lock_request(*, conn: AsyncConnection, request_id: str) -> bool:
    lock = text(f"SELECT pg_try_advisory_lock({_REQUEST_KEY})")
    return bool(await conn.scalar(lock, {"id": request_id}))


async def unlock_request(*, conn: AsyncConnection, request_id: str) -> None:
    await conn.execute(text(f"SELECT pg_advisory_unlock({_REQUEST_KEY})"), {"id": request_id})


async def lock_number(*, conn: AsyncConnection, phone: str) -> None:
    """Waits for the number's opt-out handling to finish, and holds it off until unlocked."""
    await conn.execute(text(f"SELECT pg_advisory_lock({NUMBER_KEY})"), {"phone": phone})


async def unlock_number(*, conn: AsyncConnection, phone: str) -> None:
    await conn.execute(text(f"SELECT pg_advisory_unlock({NUMBER_KEY})"), {"phone": phone})


async def load_open(*, conn: AsyncConnection, request_id: str, now: datetime) -> Any | None:
    """The request's row if it is still open and due (another sender may have finished it)."""
    row = (await conn.execute(_ROW, {"id": request_id})).mappings().first()
    if row is None or row["status"] not in OPEN or row["next_attempt_at"] > now:
        return None
    return row


async def update(*, conn: AsyncConnection, request_id: str, **values: Any) -> None:
    columns = ", ".join(f"{name} = :{name}" for name in values)
    await conn.execute(
        text(f"UPDATE outbound_messages SET {columns} WHERE id = :id"), {"id": request_id, **values}
    )


async def finish_request(
    *, session: AsyncSession, request_id: str, status: str, at: datetime, **values: Any
) -> bool:
    """The request's final `status` (and `values`), in the session's transaction; False when it
    was final already (another sender finished it first)."""
    columns = "".join(f", {name} = :{name}" for name in values)
    changed = await execute(
        session,
        text(
            f"UPDATE outbound_messages SET status = :status, finished_at = :at{columns} "
            "WHERE id = :id AND status IN ('pending', 'held', 'sending')"
        ),
        {"id": request_id, "status": status, "at": at, **values},
    )
    return changed.rowcount > 0


async def mark_sending(
    *, conn: AsyncConnection, request_id: str, at: datetime, look_up_at: datetime, consent: str
) -> None:
    """Committed before the POST: from here on, the request is looked up before any resend."""
    await conn.execute(
        text(
            "UPDATE outbound_messages SET status = 'sending', attempts = attempts + 1, "
            "send_started_at = :at, checked_at = :at, consent = :consent, "
            "next_attempt_at = :look_up_at, reason = NULL WHERE id = :id"
        ),
        {"id": request_id, "at": at, "look_up_at": look_up_at, "consent": consent},
    )


async def take_line_slot(*, conn: AsyncConnection, line: str, day: date, cap: int) -> bool:
    """One more text today on the line, if the cap allows (atomic across processes)."""
    taken = await conn.scalar(
        text(
            "INSERT INTO egress_line_days AS d (line, day, sent) VALUES (:line, :day, 1) "
            "ON CONFLICT (line, day) DO UPDATE SET sent = d.sent + 1 WHERE d.sent < :cap "
            "RETURNING sent"
        ),
        {"line": line, "day": day, "cap": cap},
    )
    return taken is not None


async def count_line_text(*, conn: AsyncConnection, line: str, day: date, delta: int) -> None:
    """A text that is not capped (a confirmation) still counts; a slot not used is given back."""
    await conn.execute(
        text(
            "INSERT INTO egress_line_days AS d (line, day, sent) VALUES (:line, :day, "
            "greatest(:delta, 0)) ON CONFLICT (line, day) DO UPDATE "
            "SET sent = greatest(d.sent + :delta, 0)"
        ),
        {"line": line, "day": day, "delta": delta},
    )


async def open_counts(*, conn: AsyncConnection) -> dict[str, int]:
    rows = await conn.execute(
        text(
            "SELECT purpose, count(*) FROM outbound_messages "
            "WHERE status IN ('pending', 'held', 'sending') GROUP BY purpose"
        )
    )
    return {purpose: int(count) for purpose, count in rows.all()}


async def for_phone(
    *,
    conn: AsyncConnection,
    phone: str,
    since: datetime | None = None,
    purposes: Collection[str] | None = None,
    requester: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """A number's texts, newest first (the audit listing)."""
    clauses = ["phone = :phone"]
    params: dict[str, Any] = {"phone": phone, "limit": limit}
    if since is not None:
        clauses.append("requested_at >= :since")
        params["since"] = since
    if purposes:
        clauses.append("purpose = ANY(:purposes)")
        params["purposes"] = list(purposes)
    if requester is not None:
        clauses.append("requester = :requester")
        params["requester"] = requester
    query = text(
        f"SELECT * FROM outbound_messages WHERE {' AND '.join(clauses)} "
        "ORDER BY requested_at DESC, id LIMIT :limit"
    )
    return [dict(row) for row in (await conn.execute(query, params)).mappings()]


def after(at: datetime, seconds: float) -> datetime:
    return at + timedelta(seconds=seconds)
