"""The egress's answers (outbound.results.v1): one small handler per outcome, in the batch's
transaction (the runtime writes the inbox rows). Only an answer to the member's current
request moves it (domain/egress.py): others' results, stale attempts and repeats change
nothing.

Lock order as the dispatcher's (member, then campaign, then the counts), so the two never
deadlock: the campaign row is locked before anything is given back.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns import events, tracking
from smsbus.campaigns.domain import egress
from smsbus.campaigns.handlers.deps import Deps
from smsbus.campaigns.models import MemberRow
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as dispatch_store
from smsbus.contracts import Envelope
from smsbus.contracts.campaigns import MemberFailed, MemberSkipped
from smsbus.contracts.outbound import SendAccepted, SendDeferred, SendFailed, SendRefused
from smsbus.runtime.outbox import add_to_outbox
from smsbus.runtime.routes import Unit

ResultT = TypeVar("ResultT", SendAccepted, SendRefused, SendDeferred, SendFailed)


async def on_send_accepted(envelope: Envelope[SendAccepted], unit: Unit, deps: Deps) -> None:
    """OpenPhone has the text: the member is sent (member.sent, parked statuses applied)."""
    result = envelope.data
    session = unit.session
    member = await _current(session, envelope)
    if member is None:
        return
    await tracking.record_sent(
        session=session,
        member=member,
        message_id=result.message_id,
        line=result.line,
        at=result.sent_at,
        recovered=result.recovered,
        topic=deps.events_topic,
        now=deps.clock(),
    )
    unit.after_commit(partial(deps.count, "sent"))


async def on_send_refused(envelope: Envelope[SendRefused], unit: Unit, deps: Deps) -> None:
    """The gate refused the person (skipped) or the campaign was no longer running (pending)."""
    result = envelope.data
    session = unit.session
    member = await _current(session, envelope)
    if member is None:
        return
    now = deps.clock()
    outcome = await _not_sent(unit, member, egress.after_refusal(result.reason, now=now), deps, now)
    unit.after_commit(partial(deps.count, outcome))


async def on_send_deferred(envelope: Envelope[SendDeferred], unit: Unit, deps: Deps) -> None:
    """The account or the line cannot send now: the member waits; the campaign pauses unless
    only the line's daily cap is spent."""
    result = envelope.data
    session = unit.session
    member = await _current(session, envelope)
    if member is None:
        return
    now = deps.clock()
    campaign = await campaign_store.get_campaign(
        session=session, campaign_id=member.campaign_id, lock=True
    )
    action = egress.after_deferral(
        reason=result.reason, scope=result.scope, retry_at=result.retry_at, now=now,
        decided_at=result.at, resumed_at=campaign.resumed_at if campaign else None,
    )  # fmt: skip
    outcome = await _not_sent(unit, member, action, deps, now)
    unit.after_commit(partial(deps.count, outcome))


async def on_send_failed(envelope: Envelope[SendFailed], unit: Unit, deps: Deps) -> None:
    """OpenPhone refused the message itself, or the egress gave up: the member fails."""
    result = envelope.data
    session = unit.session
    member = await _current(session, envelope)
    if member is None:
        return
    member.status, member.reason = "failed", result.reason
    member.failed_at, member.next_attempt_at = result.at, None
    session.add(member)
    event = MemberFailed(**events.member_fields(member, result.at), reason=result.reason)
    await _emit(session, event, deps)
    unit.after_commit(partial(deps.count, "failed"))


async def _current(session: AsyncSession, envelope: Envelope[ResultT]) -> MemberRow | None:
    """The member this answer is for, locked, when it is the answer to its current request
    (the inbox row is written either way: a stale answer is handled by ignoring it)."""
    result = envelope.data
    if result.requester != egress.REQUESTER or result.member_id is None:
        return None
    member = await session.get(MemberRow, result.member_id, with_for_update=True)
    if member is None or not egress.is_current(
        request=result.request_id,
        member_id=member.id,
        attempts=member.attempts,
        status=member.status,
    ):
        return None
    return member


async def _not_sent(
    unit: Unit,
    member: MemberRow,
    action: egress.Requeue | egress.Skip,
    deps: Deps,
    now: datetime,
) -> str:
    """Nothing left: what the request counted is given back; the member is skipped (with
    member.skipped) or pending again, and the campaign paused when the action says so.
    Returns the member's outcome for the counter."""
    session = unit.session
    campaign = await campaign_store.get_campaign(
        session=session, campaign_id=member.campaign_id, lock=True
    )
    if campaign is not None:
        await dispatch_store.give_back(
            session=session, member=member, line=campaign.line, zone=campaign.timezone
        )
    if isinstance(action, egress.Skip):
        member.status, member.reason, member.next_attempt_at = "skipped", action.reason, None
        session.add(member)
        await _emit(
            session, MemberSkipped(**events.member_fields(member, now), reason=action.reason), deps
        )
        return "refused"
    member.status, member.reason, member.next_attempt_at = "pending", action.reason, action.at
    session.add(member)
    if action.pause is None:
        return "capped" if action.reason == egress.LINE_DAILY_CAP else "requeued"
    if await campaign_store.pause_running(
        session=session, campaign_id=member.campaign_id, reason=action.pause, now=now
    ):
        unit.after_commit(partial(deps.paused, action.pause))
    return "paused"


async def _emit(session: AsyncSession, event: MemberFailed | MemberSkipped, deps: Deps) -> None:
    envelope = events.envelope(event, recorded_at=deps.clock())
    await add_to_outbox(session, envelope, topic=deps.events_topic)
