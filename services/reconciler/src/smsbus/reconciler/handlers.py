"""Subscribers: every event on the messages and calls topics is recorded as seen.

No business rules here: the row is the reconciler's inbox, so a redelivery is a no-op.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smsbus.contracts import Envelope
from smsbus.reconciler.store.seen import record_seen
from smsbus.runtime.db import Sessions


@dataclass(frozen=True)
class Deps:
    sessions: Sessions
    clock: Callable[[], datetime]


async def on_event(envelope: Envelope[Any], deps: Deps) -> None:
    async with deps.sessions() as session, session.begin():
        await record_seen(session=session, envelope=envelope, seen_at=deps.clock())


def dispatcher(deps: Deps) -> Callable[[Envelope[Any]], Awaitable[None]]:
    """The one handler `subscribe()` gets for both topics."""

    async def handle(envelope: Envelope[Any]) -> None:
        await on_event(envelope, deps)

    return handle
