"""The reply sender's SQL: due intents, the per-intent lock, and each state change.

Every statement runs on the sender's own autocommit connection, so "about to send" is durable
before the POST leaves, and a session-level advisory lock (released by PostgreSQL the moment a
killed process's connection drops) keeps two senders off one intent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from smsbus.compliance.models import ReplyIntentRow, SuppressionRow

REPLIES = ReplyIntentRow.__table__  # type: ignore[attr-defined]
SUPPRESSIONS = SuppressionRow.__table__  # type: ignore[attr-defined]
NOTIFY_CHANNEL = "smsbus_compliance_replies"

_KEY = "hashtextextended('compliance.reply:' || :id, 0)"
_TRY_LOCK = text(f"SELECT pg_try_advisory_lock({_KEY})")
_UNLOCK = text(f"SELECT pg_advisory_unlock({_KEY})")
OPEN = ("pending", "sending")


@dataclass(frozen=True)
class DueReply:
    id: str
    kind: str
    phone: str
    line: str
    text: str
    status: str
    created_at: datetime
    attempts: int
    send_started_at: datetime | None


async def due_ids(conn: AsyncConnection, *, now: datetime, limit: int) -> list[str]:
    query = (
        select(REPLIES.c.id)
        .where(REPLIES.c.status.in_(OPEN), REPLIES.c.next_attempt_at <= now)
        # Opt-out confirmations first: the FCC presumes them timely only within 5 minutes.
        .order_by((REPLIES.c.kind == "opt_out_confirmation").desc(), REPLIES.c.created_at)
        .limit(limit)
    )
    return list((await conn.execute(query)).scalars().all())


async def try_lock(conn: AsyncConnection, *, intent_id: str) -> bool:
    return bool(await conn.scalar(_TRY_LOCK, {"id": intent_id}))


async def unlock(conn: AsyncConnection, *, intent_id: str) -> None:
    await conn.execute(_UNLOCK, {"id": intent_id})


async def load_open(conn: AsyncConnection, *, intent_id: str, now: datetime) -> DueReply | None:
    """The intent, if it is still open and due (another sender may have finished it)."""
    row = (await conn.execute(select(REPLIES).where(REPLIES.c.id == intent_id))).mappings().first()
    if row is None or row["status"] not in OPEN or row["next_attempt_at"] > now:
        return None
    return DueReply(
        id=row["id"],
        kind=row["kind"],
        phone=row["phone"],
        line=row["line"],
        text=row["text"],
        status=row["status"],
        created_at=row["created_at"],
        attempts=row["attempts"],
        send_started_at=row["send_started_at"],
    )


async def suppressed_at(conn: AsyncConnection, *, phone: str) -> datetime | None:
    query = select(SUPPRESSIONS.c.suppressed_at).where(SUPPRESSIONS.c.phone == phone)
    return await conn.scalar(query)


async def mark_sending(conn: AsyncConnection, *, intent_id: str, at: datetime) -> None:
    """Committed before the POST: from here on, a retry looks the message up first."""
    await conn.execute(
        update(REPLIES)
        .where(REPLIES.c.id == intent_id)
        .values(status="sending", attempts=REPLIES.c.attempts + 1, send_started_at=at)
    )


async def mark_sent(
    conn: AsyncConnection, *, intent_id: str, message_id: str, sent_at: datetime
) -> None:
    await conn.execute(
        update(REPLIES)
        .where(REPLIES.c.id == intent_id)
        .values(status="sent", openphone_message_id=message_id, sent_at=sent_at, last_error=None)
    )


async def retry_later(
    conn: AsyncConnection,
    *,
    intent_id: str,
    status: str,
    at: datetime,
    delay: timedelta,
    error: str,
) -> None:
    """`status` stays `sending` when the last POST may have created the message."""
    await conn.execute(
        update(REPLIES)
        .where(REPLIES.c.id == intent_id)
        .values(status=status, next_attempt_at=at + delay, last_error=error[:2000])
    )


async def close(conn: AsyncConnection, *, intent_id: str, status: str, error: str) -> None:
    """A final state without a message: `failed` or `cancelled`."""
    await conn.execute(
        update(REPLIES)
        .where(REPLIES.c.id == intent_id)
        .values(status=status, last_error=error[:2000])
    )


async def pending_count(conn: AsyncConnection) -> int:
    query = text("SELECT count(*) FROM reply_intents WHERE status IN ('pending', 'sending')")
    return int(await conn.scalar(query) or 0)
