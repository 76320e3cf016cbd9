"""One claimed batch, decided in the claim's transaction: its facts loaded (facts.py), every
member decided at once by the pure rules (domain/batch.py), and what the decisions change
written a statement per kind (outcomes.py): a skip (+ member.skipped), a deferral, or an intent
with its counts and its send request to the egress. All of them committed, or none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.dispatch import facts, outcomes
from smsbus.campaigns.domain.batch import decide_batch
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.models import MemberRow


class Decisions:
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

    async def decide_members(
        self, session: AsyncSession, claimed: list[MemberRow], now: datetime
    ) -> Counter[str]:
        """Every claimed member of a running campaign decided and written in the caller's
        transaction; returns how many were requested, skipped and deferred (counted once the
        transaction commits)."""
        found = await facts.load(session, claimed, now, self._eligibility)
        decisions = decide_batch(now, found.due, found.models, found.limits, found.counts)
        changes = outcomes.gather(
            found,
            decisions,
            now,
            events_topic=self._topic,
            requests_topic=self._requests_topic,
        )
        await outcomes.write(session, changes)
        return changes.counted

    def count(self, counted: Counter[str]) -> None:
        for outcome, times in counted.items():
            for _ in range(times):
                self._count(outcome)
