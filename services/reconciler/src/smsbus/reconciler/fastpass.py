"""The fast pass, start to finish, and its schedule (every minute by default).

lock → watermark → end offsets → conversations updated since the watermark (one request per
100) → wait for our consumer to reach those offsets (else `deferred`) → which last activities
are unseen (domain/fastpass.py) → the messages and calls of those older than the grace (two
requests each) → in ONE transaction: the missing facts emitted as the deep pass emits them
(same dedupe keys: a late webhook or the deep pass emits nothing twice) and the watermark
moved. A failure before that commit emits nothing and leaves the watermark where it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from smsbus.contracts.rest import Conversation
from smsbus.reconciler.domain.facts import SETTLING_EVENTS
from smsbus.reconciler.domain.fastpass import first_watermark, plan_fast_pass, read_from
from smsbus.reconciler.domain.judging import count_by_type
from smsbus.reconciler.domain.windows import remembered_since
from smsbus.reconciler.emitting import emit_missing
from smsbus.reconciler.history import fetch_conversations
from smsbus.reconciler.offsets import run_start_offsets, wait_caught_up
from smsbus.reconciler.passes import LockedPass, PassConfig
from smsbus.reconciler.store.seen import seen_objects
from smsbus.reconciler.store.watermarks import get_watermark, set_watermark
from smsbus.runtime.loops import repeat

logger = logging.getLogger(__name__)

NAME = "fast"
"""The fast pass's lock and watermark."""


@dataclass(frozen=True)
class FastConfig(PassConfig):
    grace: timedelta = timedelta(seconds=60)
    lookback: timedelta = timedelta(minutes=15)
    """How far back the very first fast pass lists."""


@dataclass
class FastResult:
    id: str
    status: str
    """`succeeded`, `deferred` (our consumer lagged), `failed`, `skipped` (another holds it)."""
    listed: int = 0
    unseen: int = 0
    read: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    error: str | None = None


class FastPass(LockedPass[FastConfig, FastResult]):
    lock_name = NAME
    label = "fast pass"

    async def run(self) -> FastResult:
        result = await self._run_locked(self._begin)
        return FastResult(id="", status="skipped") if result is None else result

    async def _begin(self) -> FastResult:
        return FastResult(id=f"fast-{self.new_id()}", status="running")

    async def _work(self, result: FastResult) -> FastResult:
        config = self.config
        listed_at = self.clock()
        async with self.sessions() as session:
            watermark = await get_watermark(session=session, name=NAME)
        since = max(
            watermark or first_watermark(now=listed_at, lookback=config.lookback),
            remembered_since(now=listed_at, memory=config.memory),
        )
        targets = await run_start_offsets(config.bootstrap, list(config.topics.values()))
        listed = [
            conversation
            async for conversation in self.client.list_conversations(
                phone_numbers=list(config.lines) or None,
                updated_after=since,
                page_size=config.page_size,
            )
        ]
        result.listed = len(listed)
        behind = await wait_caught_up(
            config.bootstrap, config.group_id, targets, within=config.catchup_timeout
        )
        if behind:
            result.status = "deferred"
            result.error = f"consumer group {config.group_id} was {behind} record(s) behind"
            return result
        async with self.sessions() as session:
            seen = await seen_objects(
                session=session, object_ids=_activities(listed), event_types=SETTLING_EVENTS
            )
        plan = plan_fast_pass(
            listed, seen=seen, listed_at=listed_at, now=self.clock(), grace=config.grace
        )
        result.unseen, result.read = plan.unseen, len(plan.read)
        history = await fetch_conversations(
            self.client,
            plan.read,
            created_after=lambda conversation: read_from(conversation, watermark=since),
            page_size=config.page_size,
            concurrency=config.concurrency,
        )
        now = self.clock()
        async with self.sessions() as session, session.begin():
            emitted = await emit_missing(
                session=session,
                facts=history.facts,
                since=remembered_since(now=now, memory=config.memory),
                cutoff=now - config.grace,
                correlation_id=result.id,
                topics=config.topics,
                now=now,
            )
            await set_watermark(session=session, name=NAME, position=plan.watermark, now=now)
        result.missing = count_by_type(emitted)
        result.status = "succeeded"
        if self.metrics is not None:
            self.metrics.recovered("fast", emitted, at=now)
        return result

    async def _failed(self, result: FastResult, reason: str) -> FastResult:
        result.status = "failed"
        result.error = reason
        return result

    def _observe(self, result: FastResult, seconds: float) -> None:
        level = logging.INFO if result.missing or result.status != "succeeded" else logging.DEBUG
        logger.log(
            level,
            "fast pass %s %s: %d conversations listed, %d last activities unseen, %d read, "
            "missing %s%s",
            result.id, result.status, result.listed, result.unseen, result.read,
            result.missing or "nothing", f" ({result.error})" if result.error else "",
            extra={"correlation_id": result.id},
        )  # fmt: skip
        metrics = self.metrics
        if metrics is None:
            return
        metrics.fast_passes.labels(outcome=result.status).inc()
        metrics.unseen.inc(result.unseen)
        if result.status == "succeeded":
            metrics.fast_last_success.set(time.time())


def _activities(conversations: Sequence[Conversation]) -> list[str]:
    return [c.last_activity_id for c in conversations if c.last_activity_id is not None]


async def run_fast_periodically(fast: FastPass, *, interval: float, first_delay: float) -> None:
    """The schedule: a fast pass `interval` seconds after the last one ended, until cancelled
    (a pass that cannot start, the database being away, is tried again with backoff)."""

    async def one_pass() -> None:
        await fast.run()

    await repeat(
        one_pass, name="fast pass", interval=interval, first_delay=first_delay, start_to_start=True
    )
