"""Handlers: every event on the messages and calls topics is recorded as seen.

No business rules here: the row is the reconciler's record of what the topics hold. A batch's
events are recorded in one statement, whatever their types.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from smsbus.contracts import ROUTES, Envelope
from smsbus.reconciler.settings import SERVICE
from smsbus.reconciler.store.seen import record_seen
from smsbus.runtime.routes import Batched, Routes, Unit


def routes(clock: Callable[[], datetime]) -> Routes:
    """Every type the registry says the reconciler consumes, to one batched route."""

    async def seen(envelopes: Sequence[Envelope[Any]], unit: Unit) -> None:
        await record_seen(session=unit.session, envelopes=envelopes, seen_at=clock())

    batched = Batched(seen)
    return {route.event_type: batched for route in ROUTES if SERVICE in route.consumers}
