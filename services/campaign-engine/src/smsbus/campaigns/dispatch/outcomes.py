"""What a batch's decisions change, gathered so that each kind is written once: the members' new
state (one UPDATE), the sends counted per campaign day and per line day (one upsert each), and
the events — member.skipped for a skip, the send request to the egress for a send — added to
the outbox, which writes them together when the transaction commits.

A send is its intent: `sending`, the rendered text, segments, encoding, `intent_at` and the
next attempt number, whose request id `<member id>:<attempt>` the egress sends once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns import events
from smsbus.campaigns.dispatch.facts import Facts
from smsbus.campaigns.dispatch.requests import send_requested
from smsbus.campaigns.domain import decide
from smsbus.campaigns.domain.members import event_fields
from smsbus.campaigns.models import MemberRow
from smsbus.campaigns.store import dispatch as store
from smsbus.campaigns.store.members import as_member
from smsbus.contracts import Envelope
from smsbus.contracts.campaigns import MemberSkipped
from smsbus.runtime.outbox import add_to_outbox


@dataclass
class Outcomes:
    changes: list[store.MemberChange] = field(default_factory=list)
    usage: Counter[tuple[str, date]] = field(default_factory=Counter)
    """(campaign, its day) → sends."""
    segments: Counter[tuple[str, date]] = field(default_factory=Counter)
    """(line, UTC day) → segments."""
    events: list[tuple[Envelope[Any], str]] = field(default_factory=list)
    """(event, topic), in decision order."""
    counted: Counter[str] = field(default_factory=Counter)
    """requested / skipped / deferred: the dispatcher's metric."""


def as_read(member: MemberRow) -> store.MemberChange:
    return store.MemberChange(
        id=member.id,
        status=member.status,
        reason=member.reason,
        next_attempt_at=member.next_attempt_at,
        text=member.text,
        segments=member.segments,
        encoding=member.encoding,
        intent_at=member.intent_at,
        attempts=member.attempts,
    )


def gather(
    facts: Facts,
    decisions: Sequence[decide.Decision],
    now: datetime,
    *,
    events_topic: str,
    requests_topic: str,
) -> Outcomes:
    found = Outcomes()
    for member, decision in zip(facts.members, decisions, strict=True):
        if isinstance(decision, decide.Skip):
            _skip(found, member, decision, now, events_topic)
        elif isinstance(decision, decide.Wait):
            found.changes.append(
                replace(as_read(member), reason=decision.reason, next_attempt_at=decision.until)
            )
            found.counted["deferred"] += 1
        else:
            _request(found, facts, member, decision, now, requests_topic)
    return found


def _skip(found: Outcomes, member: MemberRow, skip: decide.Skip, now: datetime, topic: str) -> None:
    change = replace(as_read(member), status="skipped", reason=skip.reason, next_attempt_at=None)
    found.changes.append(change)
    event = MemberSkipped(**event_fields(as_member(member), now), reason=skip.reason)
    found.events.append((events.envelope(event, recorded_at=now), topic))
    found.counted["skipped"] += 1


def _request(
    found: Outcomes,
    facts: Facts,
    member: MemberRow,
    send: decide.Send,
    now: datetime,
    topic: str,
) -> None:
    """The intent under the next attempt number, its send request, the counts it uses."""
    intent = replace(
        as_read(member),
        status="sending",
        text=send.text,
        segments=send.segments,
        encoding=send.encoding,
        intent_at=now,
        attempts=member.attempts + 1,
    )
    found.changes.append(intent)
    campaign = facts.campaigns[member.campaign_id]
    request = send_requested(
        member=member,
        campaign=campaign,
        contact=facts.contacts.get(member.contact_id),
        text=send.text,
        attempt=intent.attempts,
        now=now,
    )
    found.events.append((request, topic))
    found.usage[(campaign.id, facts.days[campaign.id])] += 1
    found.segments[(campaign.line, facts.utc_day)] += send.segments
    found.counted["requested"] += 1


async def record(*, session: AsyncSession, outcomes: Outcomes) -> None:
    """In the caller's transaction: all of it is committed, or none."""
    await store.update_members(session=session, changes=outcomes.changes)
    if outcomes.usage:
        await store.count_usage(session=session, counts=outcomes.usage)
    if outcomes.segments:
        await store.count_segments(session=session, counts=outcomes.segments)
    for envelope, topic in outcomes.events:
        await add_to_outbox(session, envelope, topic=topic)
