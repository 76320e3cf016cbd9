"""The dispatch loop: each round, stale intents are recovered, then a batch of due members is
claimed (FOR UPDATE SKIP LOCKED) and decided (intents committed), then sent through OpenPhone
and their results recorded; scheduled campaigns start and drained ones finish.

Exactly once per member: the intent is committed before OpenPhone is called, under a lease in
database time. An intent whose outcome is unknown (timeout, crash, kill -9) is looked up at
OpenPhone (line, recipient, text, from the intent's time) before it is ever sent again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import text

from smsbus.campaigns.dispatch.config import DispatchConfig
from smsbus.campaigns.dispatch.decisions import Decisions, next_utc_day
from smsbus.campaigns.dispatch.outcomes import Outcomes
from smsbus.campaigns.dispatch.recovery import Recovery
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.store import campaigns as campaign_store
from smsbus.campaigns.store import dispatch as store
from smsbus.openphone import (
    DailyCapReached,
    OpenPhoneClient,
    OpenPhoneError,
    OpenPhoneUnreachable,
    RateLimited,
    SendOutcomeUnknown,
)
from smsbus.runtime.db import Sessions, execute

logger = logging.getLogger(__name__)


class Dispatcher:
    def __init__(
        self,
        *,
        sessions: Sessions,
        openphone: OpenPhoneClient,
        eligibility: EligibilityClient,
        clock: Callable[[], datetime],
        config: DispatchConfig,
        on_outcome: Callable[[str], None] = lambda _: None,
    ) -> None:
        self._sessions = sessions
        self._openphone = openphone
        self._clock = clock
        self._config = config
        self._count = on_outcome
        self._limit = asyncio.Semaphore(config.concurrency)
        self._decisions = Decisions(
            eligibility=eligibility, topic=config.events_topic, lease=config.lease, count=on_outcome
        )
        self._outcomes = Outcomes(
            sessions=sessions, clock=clock, topic=config.events_topic, count=on_outcome
        )
        self._recovery = Recovery(
            sessions=sessions,
            openphone=openphone,
            outcomes=self._outcomes,
            config=config,
            count=on_outcome,
        )

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                done = await self.recover_once() + await self.dispatch_once()
                await self.housekeeping()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                logger.warning("dispatch round failed (%d in a row)", failures, exc_info=exc)
                done = 0
            if done < self._config.batch:
                await asyncio.sleep(min(self._config.interval * (1 + failures), 30.0))

    async def housekeeping(self) -> None:
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

    async def dispatch_once(self) -> int:
        """One batch: decisions committed (intents included), then the sends. Returns claims."""
        now = self._clock()
        async with self._sessions() as session, session.begin():
            ids = await store.claim_due(session=session, now=now, limit=self._config.batch)
            if not ids:
                return 0
            intents = await self._decisions.decide_members(session, ids, now)
        await asyncio.gather(*(self._send(intent) for intent in intents))
        return len(ids)

    async def recover_once(self) -> int:
        """Intents left without a result (crash, unknown outcome): look up, else send again."""
        return await self._recovery.recover_once(self._send)

    async def _send(self, intent: store.Intent) -> None:
        async with self._limit:
            try:
                message = await self._openphone.send_message(
                    from_=intent.line, to=intent.phone, content=intent.text
                )
            except DailyCapReached:
                await self._outcomes.requeue(intent, until=next_utc_day(self._clock()), capped=True)
            except SendOutcomeUnknown as exc:
                self._count("unknown")
                if not await self._recovery.look_up(intent, exc.sent_at):
                    await self._outcomes.hold(intent, self._config.recheck)
            except (RateLimited, OpenPhoneUnreachable):
                await self._outcomes.requeue(intent, until=self._clock() + self._config.retry_after)
            except OpenPhoneError as exc:
                await self._outcomes.fail(intent, f"openphone_{exc.status}:{exc.code or '-'}")
            except ValidationError:
                await self._outcomes.fail(intent, "invalid_request")
            except Exception:
                logger.exception(
                    "send of member %s failed; its intent waits for recovery", intent.member_id
                )
            else:
                await self._outcomes.sent(intent, message.id, message.created_at, recovered=False)
