"""What the rules need for one claimed batch, loaded a statement per kind of fact (never per
member) and put in the domain's terms.

Compliance's eligibility is asked (one request per purpose, cached briefly) before any lock
beyond the members' own; then the campaigns are locked and read afresh, then the lines whose
campaigns have a segment budget, then the numbers: everything counted against a limit is read
under the lock that serialises that limit across lanes and replicas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain import batch, caps, decide, templates, windows
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as store
from smsbus.campaigns.store.contacts import contact_values


@dataclass(frozen=True)
class Facts:
    members: list[MemberRow]
    """The claimed members whose campaign still runs (the others are left as they were)."""
    due: list[batch.Due]
    """`members` in the domain's terms, in the same order."""
    campaigns: dict[str, CampaignRow]
    contacts: dict[str, ContactRow]
    models: dict[str, decide.Campaign]
    limits: dict[str, batch.Limits]
    counts: batch.Counts
    days: dict[str, date]
    """Campaign id → the day its sends count on (its zone's)."""
    utc_day: date


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


def limits_of(row: CampaignRow) -> batch.Limits:
    return batch.Limits(row.daily_limit, row.timezone, row.line, row.line_segment_budget)


def person(member: MemberRow, contact: ContactRow | None, now: datetime) -> decide.Member | None:
    if contact is None or contact.deleted:
        return None
    return decide.Member(
        phone=member.phone,
        variant=member.variant,
        values=contact_values(contact, now=now),
        address_state=contact.state,
        address_zip=contact.zip,
        office_number=contact.office_number,
        do_not_contact=contact.do_not_contact,
        recently_texted_until=contact.recently_texted_until,
    )


async def ineligible(
    eligibility: EligibilityClient, members: list[MemberRow], purposes: dict[str, str]
) -> dict[tuple[str, str], list[str]]:
    """(purpose, phone) → compliance's reasons not to text (empty: may)."""
    found: dict[tuple[str, str], list[str]] = {}
    for purpose in sorted(set(purposes.values())):
        phones = [m.phone for m in members if purposes[m.campaign_id] == purpose]
        for phone, reasons in (await eligibility.reasons(phones, purpose)).items():
            found[(purpose, phone)] = reasons
    return found


async def load(
    *,
    session: AsyncSession,
    claimed: list[MemberRow],
    now: datetime,
    eligibility: EligibilityClient,
) -> Facts:
    campaign_ids = sorted({m.campaign_id for m in claimed})
    purposes = {
        row.id: row.purpose
        for row in await campaign_store.campaigns(session=session, ids=campaign_ids)
    }
    contacts = await store.contacts(session=session, ids=[m.contact_id for m in claimed])
    reasons = await ineligible(eligibility, claimed, purposes)

    locked = await store.lock_campaigns(session=session, ids=campaign_ids)
    running = {cid: row for cid, row in locked.items() if row.status == "running"}
    members = [m for m in claimed if m.campaign_id in running]
    budgeted = {row.line for row in running.values() if row.line_segment_budget is not None}
    await store.lock_lines(session=session, lines=sorted(budgeted))
    phones = sorted({m.phone for m in members})
    await store.lock_phones(session=session, phones=phones)

    suppressed = await store.suppressed(session=session, phones=phones)
    gaps = [timedelta(days=row.min_gap_days or 0) for row in running.values()]
    history = await store.histories(
        session=session, phones=phones, now=now, gap=max(gaps, default=timedelta(0))
    )
    days = {cid: caps.campaign_day(now, row.timezone) for cid, row in running.items()}
    used = await store.usage(session=session, days=days)
    utc_day = now.astimezone(UTC).date()
    lines = sorted({row.line for row in running.values()})
    segments = await store.line_segments(session=session, lines=lines, day=utc_day)

    due = [
        batch.Due(
            campaign_id=m.campaign_id,
            phone=m.phone,
            person=person(m, contacts.get(m.contact_id), now),
            suppressed=m.phone in suppressed,
            ineligible=reasons.get((running[m.campaign_id].purpose, m.phone), []),
        )
        for m in members
    ]
    return Facts(
        members=members,
        due=due,
        campaigns=running,
        contacts=contacts,
        models={cid: campaign_model(row) for cid, row in running.items()},
        limits={cid: limits_of(row) for cid, row in running.items()},
        counts=batch.Counts(used=used, line_segments=segments, history=history),
        days=days,
        utc_day=utc_day,
    )
