"""One claimed batch, decided in the claim's transaction: load what the rules need (compliance's
eligibility, local suppressions, contact history, campaign and line limits, under locks that
serialise the accounting across replicas), decide each member, and write the decision: a skip
(+ member.skipped), a deferral, or an intent with its counts and its send request to the egress
(outbound.requests.v1 through the outbox): both committed, or neither.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns import events
from smsbus.campaigns.dispatch.requests import send_requested
from smsbus.campaigns.domain import caps, decide, templates, windows
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import contacts as contact_store
from smsbus.campaigns.store import dispatch as store
from smsbus.contracts.campaigns import MemberSkipped
from smsbus.runtime.outbox import add_to_outbox


def campaign_model(row: CampaignRow) -> decide.Campaign:
    return decide.Campaign(
        id=row.id,
        purpose="transactional" if row.purpose == "transactional" else "marketing",
        window=windows.SendWindow(
            frozenset(row.window_days),
            time.fromisoformat(row.window_start),
            time.fromisoformat(row.window_end),
        ),
        min_gap=timedelta(days=row.min_gap_days) if row.min_gap_days else None,
        templates={v["name"]: templates.parse(v["template"]) for v in row.variants},
    )


def next_utc_day(now: datetime) -> datetime:
    return caps.next_day_start(now, "UTC").astimezone(UTC)


@dataclass
class Batch:
    """What the rules need for one batch; counts move on as intents are recorded."""

    members: list[MemberRow]
    campaigns: dict[str, CampaignRow]
    contacts: dict[str, ContactRow]
    ineligible: dict[str, list[str]]
    """`purpose:phone` → compliance's reasons."""
    suppressed: set[str]
    history: dict[str, caps.ContactHistory]
    days: dict[str, date]
    used: dict[str, int]
    utc_day: date
    line_segments: dict[str, int]
    models: dict[str, decide.Campaign]


async def load(
    session: AsyncSession, ids: list[str], now: datetime, eligibility: EligibilityClient
) -> Batch:
    members = await campaign_store.members_by_id(session=session, ids=ids)
    rows = {
        c.id: c
        for c in await campaign_store.campaigns(
            session=session, ids=list({m.campaign_id for m in members})
        )
    }
    contacts = {
        c.id: c
        for c in await contact_store.contacts_by_id(
            session=session, ids=[m.contact_id for m in members]
        )
    }
    phones = [m.phone for m in members]
    ineligible: dict[str, list[str]] = {}
    for purpose in {row.purpose for row in rows.values()}:
        wanted = [m.phone for m in members if rows[m.campaign_id].purpose == purpose]
        for phone, reasons in (await eligibility.reasons(wanted, purpose)).items():
            ineligible[f"{purpose}:{phone}"] = reasons
    await store.lock_campaigns(session=session, ids=list(rows))
    rows = {
        c.id: c for c in await campaign_store.campaigns(session=session, ids=list(rows), fresh=True)
    }
    await store.lock_phones(session=session, phones=phones)
    suppressed = await store.suppressed(session=session, phones=phones)
    gaps = [timedelta(days=r.min_gap_days or 0) for r in rows.values()]
    history = await store.histories(session=session, phones=phones, now=now, gap=max(gaps))
    days = {cid: caps.campaign_day(now, row.timezone) for cid, row in rows.items()}
    used = await store.usage(session=session, days=days)
    utc_day = now.astimezone(UTC).date()
    segments = await store.line_segments(
        session=session, lines=list({r.line for r in rows.values()}), day=utc_day
    )
    models = {cid: campaign_model(row) for cid, row in rows.items()}
    return Batch(
        members,
        rows,
        contacts,
        ineligible,
        suppressed,
        history,
        days,
        used,
        utc_day,
        segments,
        models,
    )


def decision_for(batch: Batch, member: MemberRow, now: datetime) -> decide.Decision:
    row = batch.campaigns[member.campaign_id]
    contact = batch.contacts.get(member.contact_id)
    checks = decide.Checks(
        suppressed=member.phone in batch.suppressed,
        ineligible=batch.ineligible.get(f"{row.purpose}:{member.phone}", []),
        history=batch.history[member.phone],
        daily_remaining=caps.remaining_today(
            daily_limit=row.daily_limit, used_today=batch.used[row.id]
        ),
        line_budget_left=None
        if row.line_segment_budget is None
        else row.line_segment_budget - batch.line_segments[row.line],
    )
    if contact is None or contact.deleted:
        return decide.Skip("contact_deleted")
    person = decide.Member(
        phone=member.phone,
        variant=member.variant,
        values=contact_store.contact_values(contact, now=now),
        address_state=contact.state,
        office_number=contact.office_number,
        do_not_contact=contact.do_not_contact,
        recently_texted_until=contact.recently_texted_until,
    )
    return decide.decide(now, batch.models[row.id], person, checks)


class Decisions:
    """Decides claimed members and writes each decision in the claim's transaction."""

    def __init__(
        self,
        *,
        eligibility: EligibilityClient,
        topic: str,
        requests_topic: str,
        count: Callable[[str], None],
    ) -> None:
        self._eligibility = eligibility
        self._topic = topic
        self._requests_topic = requests_topic
        self._count = count

    async def decide_members(self, session: AsyncSession, ids: list[str], now: datetime) -> None:
        """Every claimed member decided (written in the caller's transaction)."""
        batch = await load(session, ids, now, self._eligibility)
        for member in batch.members:
            if batch.campaigns[member.campaign_id].status != "running":
                continue
            decision = decision_for(batch, member, now)
            if isinstance(decision, decide.Skip):
                await self.skip(session, member, decision.reason, now)
            elif isinstance(decision, decide.Wait):
                await self._defer(session, batch, member, decision, now)
            else:
                await self._request(session, batch, member, decision, now)

    async def skip(
        self, session: AsyncSession, member: MemberRow, reason: str, now: datetime
    ) -> None:
        await store.update_member(
            session=session,
            member_id=member.id,
            status="skipped",
            reason=reason,
            next_attempt_at=None,
        )
        event = MemberSkipped(**events.member_fields(member, now), reason=reason)
        await add_to_outbox(session, events.envelope(event, recorded_at=now), topic=self._topic)
        self._count("skipped")

    async def _defer(
        self,
        session: AsyncSession,
        batch: Batch,
        member: MemberRow,
        decision: decide.Wait,
        now: datetime,
    ) -> None:
        until = decision.until
        if decision.reason == "daily_limit":
            until = caps.next_day_start(now, batch.campaigns[member.campaign_id].timezone)
        elif decision.reason == "line_segment_budget":
            until = next_utc_day(now)
        await store.update_member(
            session=session, member_id=member.id, next_attempt_at=until, reason=decision.reason
        )
        self._count("deferred")

    async def _request(
        self,
        session: AsyncSession,
        batch: Batch,
        member: MemberRow,
        decision: decide.Send,
        now: datetime,
    ) -> None:
        """The intent, the counts it uses (campaign day, line segments, history) and the send
        request under the member's next attempt number."""
        row = batch.campaigns[member.campaign_id]
        attempt = await store.record_intent(
            session=session,
            member_id=member.id,
            text_=decision.text,
            segments=decision.segments,
            encoding=decision.encoding,
            now=now,
        )
        request = send_requested(
            member=member,
            campaign=row,
            contact=batch.contacts.get(member.contact_id),
            text=decision.text,
            attempt=attempt,
            now=now,
        )
        await add_to_outbox(session, request, topic=self._requests_topic)
        batch.used[row.id] += 1
        await store.count_usage(
            session=session, campaign_id=row.id, day=batch.days[row.id], delta=1
        )
        await store.count_segments(
            session=session, line=row.line, day=batch.utc_day, delta=decision.segments
        )
        batch.line_segments[row.line] += decision.segments
        old = batch.history[member.phone]
        batch.history[member.phone] = caps.ContactHistory(
            [now, *old.marketing_sends] if row.purpose == "marketing" else old.marketing_sends,
            now,
            row.id,
        )
        self._count("requested")
