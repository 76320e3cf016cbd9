"""The canary sender: intent first, then OpenPhone, then the answer (DESIGN.md §3).

1. `start()` commits the check in state `sending` (the unique pending index refuses a second
   one) and wakes the sender;
2. the sender claims the intent (`started_at`, committed), POSTs the canary and records the
   message id (`sent`). A refused send decides the check: failed(send, the API's error);
3. an unknown outcome (a timeout, a 5xx, a crash of a previous process between 2's claim and
   its answer) stays `sending` and is looked up at OpenPhone (`find_sent_message`) every
   `lookup_interval` until found or the deadline decides it. A canary is never sent twice:
   meanwhile its webhook is matched by the check id in its text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import ValidationError

from smsbus.contracts import Message
from smsbus.contracts.rest import SendMessageRequest
from smsbus.health.decisions import DecisionConfig, observe, record
from smsbus.health.domain.checks import Check, new_check, send_refused, sent
from smsbus.health.loops import repeat
from smsbus.health.observability import HealthMetrics
from smsbus.health.store import checks as store
from smsbus.openphone import OpenPhoneClient, OpenPhoneException, SendOutcomeUnknown
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import error_message

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class CanaryConfig:
    line: str
    to: str
    template: str
    timeout: timedelta
    poll_interval: float = 1.0
    lookup_interval: timedelta = timedelta(seconds=5)
    lookup_margin: timedelta = timedelta(minutes=2)


class Canary:
    def __init__(
        self,
        *,
        sessions: Sessions,
        client: OpenPhoneClient,
        clock: Clock,
        new_id: Callable[[], str],
        config: CanaryConfig,
        decisions: DecisionConfig,
        metrics: HealthMetrics | None = None,
    ) -> None:
        self._sessions = sessions
        self._client = client
        self._clock = clock
        self._new_id = new_id
        self._config = config
        self._decisions = decisions
        self._metrics = metrics
        self._wake = asyncio.Event()
        self._in_flight: set[str] = set()
        self._next_lookup: dict[str, datetime] = {}

    async def start(self, *, trigger: str) -> Check:
        """Commits a new check's intent; raises store.AlreadyPending while one is pending."""
        config = self._config
        check = new_check(
            check_id=self._new_id(),
            line=config.line,
            to=config.to,
            template=config.template,
            now=self._clock(),
            timeout=config.timeout,
        )
        async with self._sessions() as session, session.begin():
            await store.add_intent(session=session, check=check, trigger=trigger)
        logger.info("canary %s started (%s)", check.id, trigger)
        self._wake.set()
        return check

    async def run(self) -> None:
        await repeat(
            self.work_once,
            name="canary sender",
            interval=self._config.poll_interval,
            wake=self._wake,
        )

    async def work_once(self) -> None:
        """Sends never-attempted intents and looks up unknown outcomes."""
        async with self._sessions() as session:
            checks = await store.pending(session=session)
        now = self._clock()
        for check in checks:
            if check.state != "sending" or check.id in self._in_flight or now >= check.deadline_at:
                continue
            self._in_flight.add(check.id)
            try:
                if check.started_at is None:
                    await self._send(check)
                else:
                    await self._look_up(check, check.started_at)
            finally:
                self._in_flight.discard(check.id)

    async def _send(self, check: Check) -> None:
        started = self._clock()
        async with self._sessions() as session, session.begin():
            if not await store.mark_started(session=session, check_id=check.id, at=started):
                return
        try:
            message = await self._client.send_message(
                from_=check.line, to=[check.to], content=check.text
            )
        except SendOutcomeUnknown as exc:
            logger.warning("canary %s: send outcome unknown (%s)", check.id, exc.reason)
            await self._unknown(check.id, exc.reason)
            return
        except (OpenPhoneException, ValidationError) as exc:
            await self._refused(check.id, error_message(exc, limit=500))
            return
        await self._answered(check.id, message)

    async def _look_up(self, check: Check, started: datetime) -> None:
        now = self._clock()
        if now < self._next_lookup.get(check.id, started):
            return
        self._next_lookup[check.id] = now + self._config.lookup_interval
        request = SendMessageRequest(content=check.text, from_=check.line, to=[check.to])
        unknown = SendOutcomeUnknown(request=request, sent_at=started, reason="recovery")
        try:
            found = await self._client.find_sent_message(unknown, margin=self._config.lookup_margin)
        except OpenPhoneException as exc:
            logger.warning("canary %s: lookup failed (%s)", check.id, error_message(exc))
            return
        if found is not None:
            logger.info("canary %s: found at OpenPhone as %s", check.id, found.id)
            await self._answered(check.id, found)
            self._next_lookup.pop(check.id, None)

    async def _answered(self, check_id: str, message: Message) -> None:
        async with self._sessions() as session, session.begin():
            current = await store.get(session=session, check_id=check_id, lock=True)
            if current is None:
                return
            answered = sent(current, message_id=message.id, line_number=message.from_)
            await store.save_answer(session=session, check=answered)

    async def _unknown(self, check_id: str, reason: str) -> None:
        async with self._sessions() as session, session.begin():
            current = await store.get(session=session, check_id=check_id, lock=True)
            if current is not None and current.state == "sending":
                await store.save_answer(session=session, check=replace(current, send_error=reason))

    async def _refused(self, check_id: str, reason: str) -> None:
        async with self._sessions() as session, session.begin():
            current = await store.get(session=session, check_id=check_id, lock=True)
            if current is None or not current.pending:
                return
            decision = send_refused(current, reason=reason, now=self._clock())
            recorded = await record(
                session=session, check=current, decision=decision, config=self._decisions
            )
        observe(recorded, config=self._decisions, metrics=self._metrics)
