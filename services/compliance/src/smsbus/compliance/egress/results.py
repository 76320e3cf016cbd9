"""A request's final state and its result event (outbound.results.v1), in one transaction:
the result is emitted if and only if the state is committed (the transactional outbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.settings import SERVICE
from smsbus.compliance.store import outbound
from smsbus.contracts import Envelope, make_envelope
from smsbus.contracts.outbound import SendAccepted, SendDeferred, SendFailed, SendRefused
from smsbus.runtime.outbox import add_to_outbox

Result = SendAccepted | SendRefused | SendDeferred | SendFailed
_TYPES: dict[type[Result], str] = {
    SendAccepted: "send.accepted",
    SendRefused: "send.refused",
    SendDeferred: "send.deferred",
    SendFailed: "send.failed",
}
_STATUS: dict[type[Result], str] = {
    SendAccepted: "sent",
    SendRefused: "refused",
    SendDeferred: "deferred",
    SendFailed: "failed",
}


def common(row: Any, at: datetime) -> dict[str, Any]:
    """The result fields every outcome carries, from the request's row."""
    return {
        "request_id": row["id"],
        "purpose": row["purpose"],
        "requester": row["requester"],
        "to": row["phone"],
        "line": row["line"],
        "campaign_id": row["campaign_id"],
        "member_id": row["member_id"],
        "at": at,
    }


def envelope(result: Result) -> Envelope[Any]:
    event_type = _TYPES[type(result)]
    return make_envelope(
        result,
        event_type=event_type,
        event_id=f"{SERVICE}-{event_type}-{result.request_id}",
        object_id=result.request_id,
        source=SERVICE,
        occurred_at=result.at,
        recorded_at=result.at,
        correlation_id=result.campaign_id or result.request_id,
    )


async def finish(*, conn: AsyncConnection, topic: str, result: Result) -> bool:
    """The request's final state and its result; False when it was already final (another
    sender finished it first), in which case nothing is emitted."""
    values: dict[str, Any]
    if isinstance(result, SendAccepted):
        values = {
            "message_id": result.message_id,
            "sent_at": result.sent_at,
            "recovered": result.recovered,
            "reason": None,
        }
    else:
        values = {"reason": result.reason}
    async with AsyncSession(bind=conn) as session, session.begin():
        finished = await outbound.finish_request(
            session=session,
            request_id=result.request_id,
            status=_STATUS[type(result)],
            at=result.at,
            **values,
        )
        if not finished:
            return False
        await add_to_outbox(session, envelope(result), topic=topic)
    return True
