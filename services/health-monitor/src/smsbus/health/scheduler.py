"""The schedule: a new check `interval` after the previous one was started, never while one is
pending. The previous start comes from the table, so a restart keeps the rhythm."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from smsbus.health.canary import Canary
from smsbus.health.store import checks as store
from smsbus.runtime.db import Sessions


async def start_if_due(
    *, sessions: Sessions, canary: Canary, clock: Callable[[], datetime], interval: timedelta
) -> bool:
    """True when it started a check."""
    async with sessions() as session:
        if await store.pending(session=session):
            return False
        last = await store.last_created_at(session=session)
    if last is not None and clock() - last < interval:
        return False
    try:
        await canary.start(trigger="schedule")
    except store.AlreadyPending:  # the API or another replica was first
        return False
    return True
