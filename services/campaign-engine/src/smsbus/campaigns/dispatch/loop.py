"""The dispatch loop: batches of due members are claimed (FOR UPDATE SKIP LOCKED) and decided,
each send requested from compliance's egress in the claim's transaction (intent + counts +
SendRequested in the outbox); scheduled campaigns start, drained ones finish.

`lanes` batches are in flight at once, each in its own transaction: while one holds its
campaigns' locks and writes, the next claims its members and waits for compliance's
eligibility, so a batch's decisions never queue behind the previous batch's round trips.

Nothing here calls OpenPhone. Exactly once per member comes from the request id
`<member id>:<attempt>`: the egress sends one text per id, the outbox publishes the request
if and only if the intent committed, and a member is asked for again (a new attempt) only after
the egress answered that its current request was not sent (see handlers/results.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from smsbus.campaigns.dispatch.batch import dispatch_batch
from smsbus.campaigns.dispatch.config import DispatchConfig
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.loops import repeat

HOUSEKEEPING_SECONDS = 1.0
AFTER_FAILURES = Backoff(initial=1.0, maximum=30.0)


@dataclass(kw_only=True)
class Dispatcher:
    sessions: Sessions
    eligibility: EligibilityClient
    clock: Callable[[], datetime]
    config: DispatchConfig
    on_outcome: Callable[[str], None] = lambda _: None
    on_paused: Callable[[dict[str, int]], None] = lambda _: None

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            for _ in range(self.config.lanes):
                tasks.create_task(self._lane())
            tasks.create_task(self._keep_house())

    async def _lane(self) -> None:
        """Batch after batch: the next at once after a full one, after `interval` otherwise,
        later after failures."""
        await repeat(
            self._full_batch,
            name="dispatch round",
            interval=self.config.interval,
            backoff=AFTER_FAILURES,
        )

    async def _full_batch(self) -> bool:
        return await self.dispatch_once() >= self.config.batch

    async def _keep_house(self) -> None:
        """Housekeeping every `interval`, at most once a second (its statements scan the
        campaigns, whatever is being dispatched)."""
        await repeat(
            self.housekeeping,
            name="dispatch housekeeping",
            interval=max(self.config.interval, HOUSEKEEPING_SECONDS),
            backoff=AFTER_FAILURES,
        )

    async def housekeeping(self) -> None:
        """Scheduled campaigns start, drained ones complete; the paused ones are counted."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            await campaign_store.start_scheduled(session=session, now=now)
            await campaign_store.finish_drained(session=session, now=now)
            paused = await campaign_store.paused_by_reason(session=session)
        self.on_paused(paused)

    async def dispatch_once(self) -> int:
        """One batch decided and its requests committed. Returns how many were claimed."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            claimed = await store.claim_due(session=session, now=now, limit=self.config.batch)
            if not claimed:
                return 0
            counted = await dispatch_batch(
                session=session,
                claimed=claimed,
                now=now,
                eligibility=self.eligibility,
                events_topic=self.config.events_topic,
                requests_topic=self.config.requests_topic,
            )
        for outcome, times in counted.items():  # once committed: what really happened
            for _ in range(times):
                self.on_outcome(outcome)
        return len(claimed)
