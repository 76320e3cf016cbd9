"""The egress loop: every text leaves here, once, past the gate.

For each due request (highest priority first; each lane has its own slots, so bulk work waiting
for the budget never holds a confirmation's place), under the request's advisory lock:
1. `sending` means a POST may have reached OpenPhone (a timeout, a 5xx, a crash): it is looked
   up once `lookup_after` has passed since that POST; found → sent (it left before anything
   that came after); not found → the gate again, as a new attempt;
2. the gate with fresh facts (cheap, unlocked: most refusals cost no budget);
3. a slot of the key's shared budget, at the purpose's priority;
4. the number's lock (the opt-out handler's), the gate again, the line's daily cap, the
   campaign's state (asked last: a pause is seen up to the moment the text leaves), `sending`
   committed, the POST (on the slot already taken), the result.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from smsbus.compliance.domain import gate as rules
from smsbus.compliance.egress import errors
from smsbus.compliance.egress.errors import Outcome
from smsbus.compliance.egress.requesters import CampaignStates, RequesterUnavailable
from smsbus.compliance.egress.results import Result, common, finish
from smsbus.compliance.egress.rows import day_of, gate_facts, request_of, to_ask
from smsbus.compliance.egress.timings import Timings
from smsbus.compliance.observability import EgressMetrics
from smsbus.compliance.store import outbound as store
from smsbus.contracts.outbound import SendAccepted, SendDeferred, SendFailed, SendRefused
from smsbus.openphone import OpenPhoneClient, OpenPhoneException, SendOutcomeUnknown
from smsbus.runtime.failures import error_message
from smsbus.runtime.loops import repeat
from smsbus.runtime.notify import notifications

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Lane:
    name: str
    priorities: tuple[int, int]
    concurrency: int


URGENT = Lane("urgent", (0, 2), 4)
"""Confirmations, HELP replies, the canary."""
BULK = Lane("bulk", (3, 9), 8)
"""Transactional and marketing."""


@dataclass(frozen=True)
class Link:
    """One request's two connections: `locks` (autocommit: its advisory locks and each state
    change, durable at once) and `tx` (the final state and its result in one transaction)."""

    locks: AsyncConnection
    tx: AsyncConnection


@dataclass(frozen=True)
class EgressConfig:
    results_topic: str
    timings: Timings = field(default_factory=Timings)
    rules: rules.Rules = field(default_factory=rules.Rules)
    line_daily_cap: int | None = 125
    """Campaign texts per line per UTC day, all campaigns together; None: no cap."""
    default_region: str = "US"
    batch: int = 50


class Egress:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        client: OpenPhoneClient,
        campaigns: CampaignStates,
        clock: Clock,
        config: EgressConfig,
        lane: Lane,
        metrics: EgressMetrics | None = None,
    ) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._transactions = engine
        self._client = client
        self._campaigns = campaigns
        self._clock = clock
        self._config = config
        self._timings = config.timings
        self._lane = lane
        self._metrics = metrics
        self._slots = asyncio.Semaphore(lane.concurrency)

    async def send_due(self) -> int:
        """One pass over the lane's due requests; returns how many were worked on."""
        async with self._engine.connect() as conn:
            ids = await store.due_ids(
                conn=conn,
                now=self._clock(),
                priorities=self._lane.priorities,
                limit=self._config.batch,
            )
        outcomes = await asyncio.gather(*(self._one(i) for i in ids), return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return sum(1 for outcome in outcomes if outcome not in ("busy", "gone"))

    async def run(self) -> None:
        """Sends until cancelled; wakes on NOTIFY from a committed request or every poll."""
        async with notifications(self._engine, store.NOTIFY_CHANNEL) as requested:
            await repeat(
                self._full_pass,
                name=f"egress pass ({self._lane.name})",
                interval=self._timings.poll_interval,
                backoff=self._timings.retry,
                wake=requested,
            )

    async def _full_pass(self) -> bool:
        """One pass; True when it found a full batch (more may be due at once)."""
        return await self.send_due() >= self._config.batch

    async def _one(self, request_id: str) -> str:
        # Both connections before any lock: a task holding a number's lock never waits for the
        # pool, which the opt-out handlers waiting for that lock may have drained.
        async with (
            self._slots,
            self._engine.connect() as conn,
            self._transactions.connect() as tx,
        ):
            if not await store.try_lock_request(conn=conn, request_id=request_id):
                return "busy"
            try:
                row = await store.load_open(conn=conn, request_id=request_id, now=self._clock())
                link = Link(locks=conn, tx=tx)
                outcome: str = "gone" if row is None else await self._work(link, row)
            except BaseException:
                await conn.invalidate()  # closing the session releases its locks
                raise
            await store.unlock_request(conn=conn, request_id=request_id)
        if row is not None and self._metrics:
            self._metrics.requests.labels(purpose=row["purpose"], outcome=outcome).inc()
        return outcome

    async def _work(self, link: Link, row: Any) -> Outcome:
        if row["status"] == "sending":
            return await self._recover(link, row)
        return await self._attempt(link, row)

    async def _recover(self, link: Link, row: Any) -> Outcome:
        """The last POST's outcome is unknown: OpenPhone is asked before anything is resent."""
        now = self._clock()
        started: datetime = row["send_started_at"]
        landing_until = started + timedelta(seconds=self._timings.lookup_after)
        if now < landing_until:
            await store.update(conn=link.locks, request_id=row["id"], next_attempt_at=landing_until)
            return "waiting"
        unknown = SendOutcomeUnknown(request=request_of(row), sent_at=started, reason="recovery")
        client = self._client.at_priority(rules.BUDGET_CLASS[row["purpose"]])
        try:
            found = await client.find_sent_message(
                unknown, margin=timedelta(seconds=self._timings.lookup_margin)
            )
        except OpenPhoneException as exc:
            return await self._later(link, row, "sending", f"lookup failed: {exc}")
        if found is not None:
            logger.info("request %s found at OpenPhone as %s", row["id"], found.id)
            accepted = SendAccepted(
                **common(row, self._clock()),
                message_id=found.id,
                sent_at=found.created_at,
                recovered=True,
                consent=row["consent"] or "unknown",
            )
            return await self._finish(link, row, accepted)
        # That POST never took effect: its line slot goes back, and it is a new attempt.
        await store.count_line_text(
            conn=link.locks, line=row["line"], day=day_of(started), delta=-1
        )
        await store.update(conn=link.locks, request_id=row["id"], status="pending")
        return await self._attempt(link, row)

    async def _attempt(self, link: Link, row: Any) -> Outcome:
        if row["attempts"] >= self._timings.max_attempts:
            failed = SendFailed(
                **common(row, self._clock()), reason=f"gave up after {row['attempts']} attempts"
            )
            return await self._finish(link, row, failed)
        # The cheap look first, unlocked and without the campaign: most refusals cost no budget.
        verdict = await self._verdict(link, row)
        if not isinstance(verdict, rules.Send):
            return await self._not_now(link, row, verdict)
        await self._client.budget.acquire(rules.BUDGET_CLASS[row["purpose"]])
        await store.lock_number(conn=link.locks, phone=row["phone"])
        try:
            return await self._send_locked(link, row)
        finally:
            await store.unlock_number(conn=link.locks, phone=row["phone"])

    async def _send_locked(self, link: Link, row: Any) -> Outcome:
        """Under the number's lock: an opt-out committed before this point is seen here; the
        campaign's state is asked last, one statement before the POST."""
        verdict = await self._verdict(link, row)
        if not isinstance(verdict, rules.Send):
            return await self._not_now(link, row, verdict)
        now = self._clock()
        day = day_of(now)
        cap = self._config.line_daily_cap
        if row["purpose"] in rules.CAMPAIGN_PURPOSES and cap is not None:
            if not await store.take_line_slot(conn=link.locks, line=row["line"], day=day, cap=cap):
                deferred = SendDeferred(
                    **common(row, now), reason="line_daily_cap", scope="line",
                    retry_at=errors.next_utc_day(now),
                )  # fmt: skip
                return await self._finish(link, row, deferred)
        else:
            await store.count_line_text(conn=link.locks, line=row["line"], day=day, delta=1)
        running = await self._campaign_verdict(row, verdict)
        if not isinstance(running, rules.Send):
            await store.count_line_text(conn=link.locks, line=row["line"], day=day, delta=-1)
            return await self._not_now(link, row, running)
        look_up_at = now + timedelta(seconds=self._timings.lookup_after)
        await store.mark_sending(
            conn=link.locks,
            request_id=row["id"],
            at=now,
            look_up_at=look_up_at,
            consent=verdict.consent,
        )
        client = self._client.at_priority(rules.BUDGET_CLASS[row["purpose"]])
        try:
            message = await client.send(request_of(row), prepaid=True)
        except SendOutcomeUnknown as exc:
            error = f"outcome unknown ({exc.reason}); looked up at {look_up_at.isoformat()}"
            await store.update(conn=link.locks, request_id=row["id"], last_error=error[:2000])
            logger.warning("request %s: %s", row["id"], error)
            return "waiting"
        except (OpenPhoneException, ValidationError) as exc:
            await store.count_line_text(conn=link.locks, line=row["line"], day=day, delta=-1)
            return await self._refused_by_openphone(link, row, exc)
        accepted = SendAccepted(
            **common(row, self._clock()),
            message_id=message.id,
            sent_at=message.created_at,
            consent=verdict.consent,
        )
        return await self._finish(link, row, accepted)

    async def _campaign_verdict(self, row: Any, verdict: rules.Send) -> rules.Verdict:
        """A campaign text's campaign must still run as it leaves: asked now, not cached."""
        if row["campaign_id"] is None:
            return verdict
        try:
            running = await self._campaigns.running(row["campaign_id"])
        except RequesterUnavailable as exc:
            wait = timedelta(seconds=self._timings.retry.delay(1))
            return rules.Hold(self._clock() + wait, reason=str(exc))
        return verdict if running else rules.Refuse("campaign_inactive")

    async def _verdict(self, link: Link, row: Any) -> rules.Verdict:
        """The gate with facts read now (the campaign's state is asked separately, last)."""
        now = self._clock()
        facts = await gate_facts(
            link.locks, row["phone"], now, self._config.default_region,
            purpose=row["purpose"], revocation_scope=self._config.rules.revocation_scope,
        )  # fmt: skip
        return rules.gate(
            to_ask(row), facts, now=now, campaign_running=None, rules=self._config.rules
        )

    async def _not_now(self, link: Link, row: Any, verdict: rules.Verdict) -> Outcome:
        if isinstance(verdict, rules.Hold):
            await store.update(
                conn=link.locks, request_id=row["id"], status="held",
                next_attempt_at=verdict.until, reason=verdict.reason,
            )  # fmt: skip
            return "held"
        assert isinstance(verdict, rules.Refuse)
        if self._metrics:
            self._metrics.refusals.labels(purpose=row["purpose"], reason=verdict.reason).inc()
        refused = SendRefused(**common(row, self._clock()), reason=verdict.reason)
        return await self._finish(link, row, refused)

    async def _refused_by_openphone(
        self, link: Link, row: Any, exc: OpenPhoneException | ValidationError
    ) -> Outcome:
        now = self._clock()
        meaning = errors.meaning(exc, row["purpose"], now=now)
        if isinstance(meaning, errors.TryAgain):
            return await self._later(link, row, "pending", meaning.reason)
        if isinstance(meaning, errors.Deferral):
            if self._metrics:
                self._metrics.deferrals.labels(reason=meaning.reason).inc()
            logger.error(
                "request %s deferred: %s (%s)", row["id"], meaning.reason, error_message(exc)
            )
            deferred = SendDeferred(
                **common(row, now), reason=meaning.reason, scope=meaning.scope,
                retry_at=meaning.retry_at,
            )  # fmt: skip
            return await self._finish(link, row, deferred)
        logger.error("request %s refused by OpenPhone: %s", row["id"], meaning.reason)
        return await self._finish(link, row, SendFailed(**common(row, now), reason=meaning.reason))

    async def _later(self, link: Link, row: Any, status: str, error: str) -> Outcome:
        delay = self._timings.retry.delay(row["attempts"] + 1)
        await store.update(
            conn=link.locks, request_id=row["id"], status=status,
            next_attempt_at=self._clock() + timedelta(seconds=delay), last_error=error[:2000],
        )  # fmt: skip
        logger.warning("request %s not sent yet (%s); again in %.1fs", row["id"], error, delay)
        return "retried"

    async def _finish(self, link: Link, row: Any, result: Result) -> Outcome:
        if not await finish(conn=link.tx, topic=self._config.results_topic, result=result):
            return "waiting"  # another sender finished it first
        if isinstance(result, SendAccepted) and self._metrics:
            age = (self._clock() - row["requested_at"]).total_seconds()
            self._metrics.latency.labels(purpose=row["purpose"]).observe(max(age, 0.0))
        return result.outcome
