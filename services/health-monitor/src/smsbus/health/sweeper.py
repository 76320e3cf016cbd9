"""The deadline sweeper: a pending check whose deadline passed fails (its row's deadline, so a
check pending across a restart keeps its deadline)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from smsbus.health.domain.checks import expire
from smsbus.health.observability import HealthMetrics
from smsbus.health.recording import Recorded, RecordingConfig, observe, record
from smsbus.health.store import checks as store
from smsbus.runtime.db import Sessions


async def expire_due(
    *,
    sessions: Sessions,
    clock: Callable[[], datetime],
    config: RecordingConfig,
    metrics: HealthMetrics | None = None,
) -> int:
    """Decides the checks past their deadline; returns how many."""
    now = clock()
    done: list[Recorded] = []
    async with sessions() as session, session.begin():
        for check in await store.pending(session=session, lock=True, due_by=now):
            decision = expire(check, now=now)
            if decision is not None:
                done.append(
                    await record(session=session, check=check, decision=decision, config=config)
                )
    for recorded in done:
        observe(recorded, config=config, metrics=metrics)
    return len(done)
