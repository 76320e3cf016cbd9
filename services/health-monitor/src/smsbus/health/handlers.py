"""The subscribers on openphone.messages.v1 and outbound.results.v1: decode → load → domain →
store + outbox, in one transaction with the inbox row. Most traffic is not the canary's (other
people's messages, other requesters' results) and leaves before any I/O."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smsbus.contracts import Envelope, Message
from smsbus.contracts.outbound import SendAccepted, SendDeferred, SendFailed, SendRefused
from smsbus.health.decisions import DecisionConfig, Recorded, observe, record
from smsbus.health.domain.checks import send_refused, sent
from smsbus.health.domain.matching import Observed, match, may_concern_canary
from smsbus.health.events import SOURCE
from smsbus.health.observability import HealthMetrics
from smsbus.health.store import checks as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.inbox import mark_processed


@dataclass(frozen=True)
class Deps:
    """What the handlers need; built once by the composition root."""

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


async def on_send_accepted(envelope: Envelope[SendAccepted], deps: Deps) -> None:
    """The canary left: the check learns OpenPhone's message id (its webhook may already have
    decided it, matched by the check id in the text; then the result changes nothing)."""
    result = envelope.data
    if result.requester != SOURCE:
        return
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        check = await store.get(session=session, check_id=result.request_id, lock=True)
        if check is None or not check.pending:
            return
        answered = sent(check, message_id=result.message_id, line=result.line)
        await store.save_answer(session=session, check=answered)


async def on_send_refused(envelope: Envelope[SendRefused], deps: Deps) -> None:
    """The gate refused the canary (the canary number opted out, invalid, expired…)."""
    await _not_sent(envelope, envelope.data.reason, deps)


async def on_send_deferred(envelope: Envelope[SendDeferred], deps: Deps) -> None:
    """The account or line cannot send (key, credit, A2P, daily cap): nothing can leave."""
    await _not_sent(envelope, envelope.data.reason, deps)


async def on_send_failed(envelope: Envelope[SendFailed], deps: Deps) -> None:
    """OpenPhone refused the message itself, or the egress ran out of attempts."""
    await _not_sent(envelope, envelope.data.reason, deps)


async def _not_sent(
    envelope: Envelope[SendRefused] | Envelope[SendDeferred] | Envelope[SendFailed],
    reason: str,
    deps: Deps,
) -> None:
    """The check fails at stage `send` with the egress's reason; counts toward alerting."""
    result = envelope.data
    if result.requester != SOURCE:
        return
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        check = await store.get(session=session, check_id=result.request_id, lock=True)
        if check is None or not check.pending:
            return
        decision = send_refused(check, reason=reason, now=deps.clock(), event_type=envelope.type)
        recorded = await record(
            session=session, check=check, decision=decision, config=deps.decisions
        )
    observe(recorded, config=deps.decisions, metrics=deps.metrics)


Handler = Callable[[Envelope[Any], Deps], Awaitable[None]]

# One handler per payload model; anything else on these topics is not the monitor's business.
_HANDLERS: dict[type, Handler] = {
    Message: on_message_event,
    SendAccepted: on_send_accepted,
    SendRefused: on_send_refused,
    SendDeferred: on_send_deferred,
    SendFailed: on_send_failed,
}


def dispatcher(deps: Deps) -> Callable[[Envelope[Any]], Awaitable[None]]:
    """The one handler `subscribe()` gets for each topic."""

    async def handle(envelope: Envelope[Any]) -> None:
        handler = _HANDLERS.get(type(envelope.data))
        if handler is not None:
            await handler(envelope, deps)

    return handle
