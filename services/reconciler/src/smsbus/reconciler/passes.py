"""What the deep pass (runner.py) and the fast pass (fastpass.py) share: what they are built
from, and one pass's frame: under the pass's lock, begun, worked, a failure kept in its result
(never raised), then observed. Each pass says how it begins, works, fails and is observed."""

from __future__ import annotations

import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.openphone import OpenPhoneClient
from smsbus.reconciler.observability import ReconcilerMetrics
from smsbus.reconciler.store.runs import run_lock
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import error_message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassConfig:
    """What both passes are configured with; each adds its own windows."""

    bootstrap: str
    group_id: str
    topics: Mapping[str, str]
    """Registry topic → the topic consumed and written (tests redirect them)."""
    lines: Sequence[str] = ()
    catchup_timeout: float = 30.0
    page_size: int = 100
    concurrency: int = 4
    memory: timedelta = timedelta(days=30)
    """How long a seen fact is remembered (seen_events' retention): nothing older is judged."""


class Outcome(Protocol):
    id: str


ConfigT = TypeVar("ConfigT", bound=PassConfig)
OutcomeT = TypeVar("OutcomeT", bound=Outcome)


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(kw_only=True, eq=False)
class LockedPass(ABC, Generic[ConfigT, OutcomeT]):
    lock_name: ClassVar[str]
    """The pass's lock (one holder across processes and replicas)."""
    label: ClassVar[str]
    """How the logs name one pass."""

    engine: AsyncEngine
    sessions: Sessions
    client: OpenPhoneClient
    clock: Callable[[], datetime]
    config: ConfigT
    metrics: ReconcilerMetrics | None = None
    new_id: Callable[[], str] = field(default=_new_id)

    async def _run_locked(self, begin: Callable[[], Awaitable[OutcomeT]]) -> OutcomeT | None:
        """The pass's outcome, or None when another holder has the lock (nothing is run)."""
        started = time.perf_counter()
        async with run_lock(engine=self.engine, name=self.lock_name) as acquired:
            if not acquired:
                return None
            outcome = await begin()
            try:
                outcome = await self._work(outcome)
            except Exception as exc:
                logger.warning("%s %s failed", self.label, outcome.id, exc_info=exc)
                reason = f"{type(exc).__name__}: {error_message(exc, limit=500)}"
                outcome = await self._failed(outcome, reason)
        self._observe(outcome, time.perf_counter() - started)
        return outcome

    @abstractmethod
    async def _work(self, outcome: OutcomeT) -> OutcomeT: ...

    @abstractmethod
    async def _failed(self, outcome: OutcomeT, reason: str) -> OutcomeT: ...

    @abstractmethod
    def _observe(self, outcome: OutcomeT, seconds: float) -> None:
        """After the pass, in logs and metrics."""
