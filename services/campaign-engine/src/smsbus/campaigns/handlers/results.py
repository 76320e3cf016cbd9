"""The egress's answers (outbound.results.v1): one small handler per outcome, in the batch's
transaction (the runtime writes the inbox rows). Only an answer to the member's current
request moves it (domain/egress.py); what it does to the member is domain/members.py's.
Others' results, stale attempts and repeats change nothing.

Lock order as the dispatcher's (member, then campaign, then the counts), so the two never
deadlock: the campaign row is locked before anything is given back.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain import egress, members
from smsbus.campaigns.handlers.deps import Deps
from smsbus.campaigns.handlers.record import record_move
from smsbus.campaigns.models import MemberRow
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as dispatch_store
from smsbus.campaigns.store.members import as_member, member_for_update
from smsbus.contracts import Envelope
from smsbus.contracts.outbound import SendAccepted, SendDeferred, SendFailed, SendRefused
from smsbus.runtime.routes import Unit

ResultT = TypeVar("ResultT", SendAccepted, SendRefused, SendDeferred, SendFailed)


async def on_send_accepted(envelope: Envelope[SendAccepted], unit: Unit, deps: Deps) -> None:
    """OpenPhone has the text: the member is sent (member.sent, parked statuses applied)."""
    result = envelope.data
    session = unit.session
    row = await _current(session, envelope)
    if row is None:
        return
    # Under the message's lock, as a status parked for it (handlers/provider.py).
    await campaign_store.lock_message(session=session, message_id=result.message_id)
    parked = await campaign_store.unpark(session=session, message_id=result.message_id)
    moved = members.after_sent(
        as_member(row),
        message_id=result.message_id,
        line=result.line,
        at=result.sent_at,
        recovered=result.recovered,
        parked=[members.Parked(p.status, p.occurred_at) for p in parked],
    )
    await _record(unit, row, moved, deps, outcome="sent")


async def on_send_refused(envelope: Envelope[SendRefused], unit: Unit, deps: Deps) -> None:
    """The gate refused the person (skipped) or the campaign was no longer running (pending)."""
    result = envelope.data
    row = await _current(unit.session, envelope)
    if row is None:
        return
    now = deps.clock()
    await _not_sent(unit, row, egress.after_refusal(result.reason, now=now), deps, now)


async def on_send_deferred(envelope: Envelope[SendDeferred], unit: Unit, deps: Deps) -> None:
    """The account or the line cannot send now: the member waits; the campaign pauses unless
    only the line's daily cap is spent."""
    result = envelope.data
    session = unit.session
    row = await _current(session, envelope)
    if row is None:
        return
    now = deps.clock()
    campaign = await campaign_store.get_campaign(
        session=session, campaign_id=row.campaign_id, lock=True
    )
    action = egress.after_deferral(
        reason=result.reason, scope=result.scope, retry_at=result.retry_at, now=now,
        decided_at=result.at, resumed_at=campaign.resumed_at if campaign else None,
    )  # fmt: skip
    await _not_sent(unit, row, action, deps, now)


async def on_send_failed(envelope: Envelope[SendFailed], unit: Unit, deps: Deps) -> None:
    """OpenPhone refused the message itself, or the egress gave up: the member fails."""
    result = envelope.data
    row = await _current(unit.session, envelope)
    if row is None:
        return
    moved = members.after_send_failed(as_member(row), reason=result.reason, at=result.at)
    await _record(unit, row, moved, deps, outcome="failed")


async def _record(
    unit: Unit, row: MemberRow, moved: members.Moved, deps: Deps, *, outcome: str
) -> None:
    """The member moved as the domain says; the outcome counted after commit."""
    await record_move(
        session=unit.session, row=row, moved=moved, topic=deps.events_topic,
        recorded_at=deps.clock(),
    )  # fmt: skip
    unit.after_commit(partial(deps.count, outcome))


async def _current(session: AsyncSession, envelope: Envelope[ResultT]) -> MemberRow | None:
    """The member this answer is for, locked, when it is the answer to its current request
    (the inbox row is written either way: a stale answer is handled by ignoring it)."""
    result = envelope.data
    if result.requester != egress.REQUESTER or result.member_id is None:
        return None
    row = await member_for_update(session=session, member_id=result.member_id)
    if row is None or not egress.is_current(
        request=result.request_id, member_id=row.id, attempts=row.attempts, status=row.status
    ):
        return None
    return row


async def _not_sent(
    unit: Unit,
    row: MemberRow,
    action: egress.Requeue | egress.Skip,
    deps: Deps,
    now: datetime,
) -> None:
    """Nothing left: what the request counted is given back, the member moved as the domain
    says, the campaign paused when the action says so; the outcome counted after commit."""
    session = unit.session
    campaign = await campaign_store.get_campaign(
        session=session, campaign_id=row.campaign_id, lock=True
    )
    if campaign is not None:
        await dispatch_store.give_back(
            session=session, member=row, line=campaign.line, zone=campaign.timezone
        )
    decided = members.after_not_sent(as_member(row), action, now=now)
    await record_move(
        session=session,
        row=row,
        moved=decided.moved,
        topic=deps.events_topic,
        recorded_at=deps.clock(),
    )
    if decided.pause is not None and await campaign_store.pause_running(
        session=session, campaign_id=row.campaign_id, reason=decided.pause, now=now
    ):
        unit.after_commit(partial(deps.paused, decided.pause))
    unit.after_commit(partial(deps.count, decided.outcome))
