"""One claimed batch dispatched in the claim's transaction: its facts loaded (facts.py), every
member decided at once by the pure rules (domain/batch.py's `decide_batch`), and what the
decisions change recorded a statement per kind (outcomes.py): a skip (+ member.skipped), a
deferral, or an intent with its counts and its send request to the egress. All of them
committed, or none.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.dispatch import facts, outcomes
from smsbus.campaigns.domain.batch import decide_batch
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.models import MemberRow


async def dispatch_batch(
    *,
    session: AsyncSession,
    claimed: list[MemberRow],
    now: datetime,
    eligibility: EligibilityClient,
    events_topic: str,
    requests_topic: str,
) -> Counter[str]:
    """Every claimed member of a running campaign decided and recorded in the caller's
    transaction; returns how many were requested, skipped and deferred (to count once the
    transaction commits)."""
    found = await facts.load(session=session, claimed=claimed, now=now, eligibility=eligibility)
    decisions = decide_batch(now, found.due, found.models, found.limits, found.counts)
    changes = outcomes.gather(
        found, decisions, now, events_topic=events_topic, requests_topic=requests_topic
    )
    await outcomes.record(session=session, outcomes=changes)
    return changes.counted
