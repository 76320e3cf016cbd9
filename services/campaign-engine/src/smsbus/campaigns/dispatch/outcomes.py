"""What a send's result does to its member, each in its own transaction: sent (linked to the
message, member.sent through the outbox, parked statuses applied), failed, given back to pending
(caps, rate limits), or held for another lookup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from smsbus.campaigns import events, tracking
from smsbus.campaigns.domain import caps
from smsbus.campaigns.models import MemberRow
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as store
from smsbus.contracts.campaigns import MemberFailed
from smsbus.runtime.db import Sessions
from smsbus.runtime.outbox import add_to_outbox


class Outcomes:
    def __init__(
        self,
        *,
        sessions: Sessions,
        clock: Callable[[], datetime],
        topic: str,
        count: Callable[[str], None],
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._topic = topic
        self._count = count

    async def sent(
        self, intent: store.Intent, message_id: str, at: datetime, *, recovered: bool
    ) -> None:
        """OpenPhone has the message; a member already linked (another replica) stays as is."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            member = await session.get(MemberRow, intent.member_id, with_for_update=True)
            if member is None or member.message_id is not None:
                return
            await tracking.record_sent(
                session=session,
                member=member,
                message_id=message_id,
                line=intent.line,
                at=at,
                recovered=recovered,
                topic=self._topic,
                now=now,
            )
        self._count("sent")

    async def hold(self, intent: store.Intent, seconds: float) -> None:
        """The outcome is still unknown: keep the intent, look again in `seconds`."""
        async with self._sessions() as session, session.begin():
            await store.extend_lease(session=session, member_id=intent.member_id, seconds=seconds)

    async def requeue(self, intent: store.Intent, *, until: datetime, capped: bool = False) -> None:
        """Not sent (cap reached, rate limited): back to pending and its counts given back."""
        async with self._sessions() as session, session.begin():
            row = await campaign_store.get_campaign(session=session, campaign_id=intent.campaign_id)
            zone = row.timezone if row else "UTC"
            await store.update_member(
                session=session,
                member_id=intent.member_id,
                status="pending",
                next_attempt_at=until,
                lease_until=None,
                reason="line_daily_cap" if capped else "retry",
            )
            await store.count_usage(
                session=session,
                campaign_id=intent.campaign_id,
                day=caps.campaign_day(intent.intent_at, zone),
                delta=-1,
            )
            await store.count_segments(
                session=session,
                line=intent.line,
                day=intent.intent_at.astimezone(UTC).date(),
                delta=-intent.segments,
                capped_until=until if capped else None,
            )
        self._count("capped" if capped else "requeued")

    async def fail(self, intent: store.Intent, reason: str) -> None:
        """OpenPhone refused the send for good: the member fails (+ member.failed)."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            member = await session.get(MemberRow, intent.member_id, with_for_update=True)
            if member is None or member.status != "sending":
                return
            member.status, member.reason, member.failed_at, member.lease_until = (
                "failed",
                reason,
                now,
                None,
            )
            session.add(member)
            event = MemberFailed(**events.member_fields(member, now), reason=reason)
            await add_to_outbox(session, events.envelope(event, recorded_at=now), topic=self._topic)
        self._count("failed")
