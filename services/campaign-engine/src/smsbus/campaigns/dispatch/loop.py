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
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import text

from smsbus.campaigns.dispatch.config import DispatchConfig
from smsbus.campaigns.dispatch.decisions import Decisions
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as store
from smsbus.runtime.db import Sessions, execute

logger = logging.getLogger(__name__)

MAX_PAUSE = 30.0
HOUSEKEEPING_SECONDS = 1.0


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: Sessions,
        eligibility: EligibilityClient,
        clock: Callable[[], datetime],
        config: DispatchConfig,
        on_outcome: Callable[[str], None] = lambda _: None,
        on_paused: Callable[[dict[str, int]], None] = lambda _: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._config = config
        self._on_paused = on_paused
        self._decisions = Decisions(
            eligibility=eligibility,
            topic=config.events_topic,
            requests_topic=config.requests_topic,
            count=on_outcome,
        )

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            for _ in range(self._config.lanes):
                tasks.create_task(self._lane())
            tasks.create_task(self._keep_house())

    async def _lane(self) -> None:
        """Batch after batch: the next at once after a full one, after `interval` otherwise,
        later after failures."""
        failures = 0
        while True:
            try:
                claimed = await self.dispatch_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                logger.warning("dispatch round failed (%d in a row)", failures, exc_info=exc)
                claimed = 0
            if claimed < self._config.batch:
                await asyncio.sleep(min(self._config.interval * (1 + failures), MAX_PAUSE))

    async def _keep_house(self) -> None:
        """Housekeeping every `interval`, at most once a second (its statements scan the
        campaigns, whatever is being dispatched)."""
        while True:
            try:
                await self.housekeeping()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("dispatch housekeeping failed", exc_info=exc)
            await asyncio.sleep(max(self._config.interval, HOUSEKEEPING_SECONDS))

    async def housekeeping(self) -> None:
        """Scheduled campaigns start, drained ones complete; the paused ones are counted."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            await execute(
                session,
                text(
                    "UPDATE campaigns SET status = 'running', started_at = :now "
                    "WHERE status = 'scheduled' AND scheduled_at <= :now"
                ),
                {"now": now},
            )
            await campaign_store.finish_drained(session=session, now=now)
            paused = await campaign_store.paused_by_reason(session=session)
        self._on_paused(paused)

    async def dispatch_once(self) -> int:
        """One batch decided and its requests committed. Returns how many were claimed."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            claimed = await store.claim_due(session=session, now=now, limit=self._config.batch)
            if not claimed:
                return 0
            counted = await self._decisions.decide_members(session, claimed, now)
        self._decisions.count(counted)
        return len(claimed)
