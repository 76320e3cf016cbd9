"""The subscriber on openphone.messages.v1: decode → load → domain → store + outbox, in one
transaction with the inbox row. Most traffic is not the canary's and leaves before any I/O."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smsbus.contracts import Envelope, Message
from smsbus.health.decisions import DecisionConfig, Recorded, observe, record
from smsbus.health.domain.matching import Observed, match, may_concern_canary
from smsbus.health.observability import HealthMetrics
from smsbus.health.store import checks as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.inbox import mark_processed


@dataclass(frozen=True)
class Deps:
    """What the handler needs; built once by the composition root."""

    sessions: Sessions
    clock: Callable[[], datetime]
    canary_to: str
    decisions: DecisionConfig
    consumer: str = "health-monitor"
    metrics: HealthMetrics | None = None


async def on_message_event(envelope: Envelope[Message], deps: Deps) -> None:
    message = envelope.data
    if not may_concern_canary(envelope.type, message.to, deps.canary_to):
        return
    observed = Observed(
        event_type=envelope.type,
        message_id=message.id,
        direction=message.direction,
        from_=message.from_,
        to=tuple(message.to),
        text=message.text,
        status=message.status,
    )
    recorded: Recorded | None = None
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        for check in await store.lock_pending(session=session):
            decision = match(check, observed, now=deps.clock())
            if decision is not None:
                recorded = await record(
                    session=session, check=check, decision=decision, config=deps.decisions
                )
                break
    if recorded is not None:
        observe(recorded, config=deps.decisions, metrics=deps.metrics)


def dispatcher(deps: Deps) -> Callable[[Envelope[Any]], Awaitable[None]]:
    """The one handler `subscribe()` gets for the messages topic."""

    async def handle(envelope: Envelope[Any]) -> None:
        if isinstance(envelope.data, Message):
            await on_message_event(envelope, deps)

    return handle
