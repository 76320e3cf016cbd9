"""The fast pass, start to finish, and its schedule (every minute by default).

lock → watermark → end offsets → conversations updated since the watermark (one request per
100) → wait for our consumer to reach those offsets (else `deferred`) → which last activities
are unseen (domain/fastpass.py) → the messages and calls of those older than the grace (two
requests each) → in ONE transaction: the missing facts emitted as the deep pass emits them
(same dedupe keys: a late webhook or the deep pass emits nothing twice) and the watermark
moved. A failure before that commit emits nothing and leaves the watermark where it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts.rest import Conversation
from smsbus.openphone import OpenPhoneClient
from smsbus.reconciler.domain.facts import SETTLING_EVENTS
from smsbus.reconciler.domain.fastpass import first_watermark, plan_fast_pass, read_from
from smsbus.reconciler.domain.judging import count_by_type
from smsbus.reconciler.emitting import emit_missing
from smsbus.reconciler.history import fetch_conversations
from smsbus.reconciler.observability import ReconcilerMetrics
from smsbus.reconciler.offsets import run_start_offsets, wait_caught_up
from smsbus.reconciler.store.runs import run_lock
from smsbus.reconciler.store.seen import seen_objects
from smsbus.reconciler.store.watermarks import get_watermark, set_watermark
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import error_message

logger = logging.getLogger(__name__)

NAME = "fast"
"""The fast pass's lock and watermark."""


@dataclass(frozen=True)
class FastConfig:
    bootstrap: str
    group_id: str
    topics: Mapping[str, str]
    lines: Sequence[str] = ()
    grace: timedelta = timedelta(seconds=60)
    lookback: timedelta = timedelta(minutes=15)
    """How far back the very first fast pass lists."""
    catchup_timeout: float = 30.0
    page_size: int = 100
    concurrency: int = 4


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


class FastPass:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        sessions: Sessions,
        client: OpenPhoneClient,
        clock: Callable[[], datetime],
        config: FastConfig,
        metrics: ReconcilerMetrics | None = None,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._engine = engine
        self._sessions = sessions
        self._client = client
        self._clock = clock
        self._config = config
        self._metrics = metrics
        self._new_id = new_id

    async def run(self) -> FastResult:
        async with run_lock(self._engine, NAME) as acquired:
            if not acquired:
                return FastResult(id="", status="skipped")
            result = FastResult(id=f"fast-{self._new_id()}", status="running")
            try:
                await self._work(result)
            except Exception as exc:
                logger.warning("fast pass %s failed", result.id, exc_info=exc)
                result.status = "failed"
                result.error = f"{type(exc).__name__}: {error_message(exc, limit=500)}"
        self._observe(result)
        return result

    async def _work(self, result: FastResult) -> None:
        config = self._config
        listed_at = self._clock()
        async with self._sessions() as session:
            watermark = await get_watermark(session=session, name=NAME)
        since = watermark or first_watermark(now=listed_at, lookback=config.lookback)
        targets = await run_start_offsets(config.bootstrap, list(config.topics.values()))
        listed = [
            conversation
            async for conversation in self._client.list_conversations(
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
            return
        async with self._sessions() as session:
            seen = await seen_objects(
                session=session, object_ids=_activities(listed), event_types=SETTLING_EVENTS
            )
        plan = plan_fast_pass(
            listed, seen=seen, listed_at=listed_at, now=self._clock(), grace=config.grace
        )
        result.unseen, result.read = plan.unseen, len(plan.read)
        history = await fetch_conversations(
            self._client,
            plan.read,
            created_after=lambda conversation: read_from(conversation, watermark=since),
            page_size=config.page_size,
            concurrency=config.concurrency,
        )
        now = self._clock()
        async with self._sessions() as session, session.begin():
            emitted = await emit_missing(
                session=session,
                facts=history.facts,
                cutoff=now - config.grace,
                correlation_id=result.id,
                topics=config.topics,
                now=now,
            )
            await set_watermark(session=session, name=NAME, position=plan.watermark, now=now)
        result.missing = count_by_type(emitted)
        result.status = "succeeded"
        if self._metrics is not None:
            self._metrics.recovered("fast", emitted, at=now)

    def _observe(self, result: FastResult) -> None:
        if result.status == "skipped":
            return
        level = logging.INFO if result.missing or result.status != "succeeded" else logging.DEBUG
        logger.log(
            level,
            "fast pass %s %s: %d conversations listed, %d last activities unseen, %d read, "
            "missing %s%s",
            result.id, result.status, result.listed, result.unseen, result.read,
            result.missing or "nothing", f" ({result.error})" if result.error else "",
            extra={"correlation_id": result.id},
        )  # fmt: skip
        metrics = self._metrics
        if metrics is None:
            return
        metrics.fast_passes.labels(outcome=result.status).inc()
        metrics.unseen.inc(result.unseen)
        for event_type, count in result.missing.items():
            metrics.missing.labels(event_type=event_type).inc(count)
        if result.status == "succeeded":
            metrics.fast_last_success.set(time.time())


def _activities(conversations: Sequence[Conversation]) -> list[str]:
    return [c.last_activity_id for c in conversations if c.last_activity_id is not None]


async def run_fast_periodically(fast: FastPass, *, interval: float, first_delay: float) -> None:
    """The schedule: a fast pass every `interval` seconds, start to start (a pass that takes
    longer delays the next one only), until cancelled."""
    await asyncio.sleep(first_delay)
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        try:
            await fast.run()
        except Exception as exc:
            logger.warning("fast pass could not run: %s", error_message(exc), exc_info=exc)
        await asyncio.sleep(max(0.0, started + interval - loop.time()))
