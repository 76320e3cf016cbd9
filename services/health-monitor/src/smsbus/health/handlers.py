"""The handlers of openphone.messages.v1 and outbound.results.v1: load → domain → store +
outbox, in the transaction the runtime opened for the batch (with its inbox rows). Most traffic
is not the canary's (other people's messages, other requesters' results) and leaves before any
I/O of its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smsbus.contracts import Envelope, Message
from smsbus.contracts.outbound import SendAccepted, SendDeferred, SendFailed, SendRefused
from smsbus.health.domain.checks import send_refused, sent
from smsbus.health.domain.matching import Observed, match, may_concern_canary
from smsbus.health.events import SOURCE
from smsbus.health.observability import HealthMetrics
from smsbus.health.recording import Recorded, RecordingConfig, observe, record
from smsbus.health.store import checks as store
from smsbus.runtime.routes import Only, Routes, Unit, bind


@dataclass(frozen=True)
class Deps:
    """What the handlers need; built once by the composition root."""

    clock: Callable[[], datetime]
    canary_to: str
    recording: RecordingConfig
    metrics: HealthMetrics | None = None


async def on_message_event(envelope: Envelope[Message], unit: Unit, deps: Deps) -> None:
    message = envelope.data  # one that may concern the canary (routes() picks them)
    observed = Observed(
        event_type=envelope.type,
        message_id=message.id,
        direction=message.direction,
        from_=message.from_,
        to=tuple(message.to),
        text=message.text,
        status=message.status,
    )
    for check in await store.lock_pending(session=unit.session):
        decision = match(check, observed, now=deps.clock())
        if decision is not None:
            recorded = await record(
                session=unit.session, check=check, decision=decision, config=deps.recording
            )
            unit.after_commit(_observe(recorded, deps))
            return


async def on_send_accepted(envelope: Envelope[SendAccepted], unit: Unit) -> None:
    """The canary left: the check learns OpenPhone's message id (its webhook may already have
    decided it, matched by the check id in the text; then the result changes nothing)."""
    result = envelope.data  # an answer to the canary's request (routes() picks them)
    check = await store.get(session=unit.session, check_id=result.request_id, lock=True)
    if check is None or not check.pending:
        return
    answered = sent(check, message_id=result.message_id, line=result.line)
    await store.save_answer(session=unit.session, check=answered)


async def on_send_refused(envelope: Envelope[SendRefused], unit: Unit, deps: Deps) -> None:
    """The gate refused the canary (the canary number opted out, invalid, expired…)."""
    await _not_sent(envelope, envelope.data.reason, unit, deps)


async def on_send_deferred(envelope: Envelope[SendDeferred], unit: Unit, deps: Deps) -> None:
    """The account or line cannot send (key, credit, A2P, daily cap): nothing can leave."""
    await _not_sent(envelope, envelope.data.reason, unit, deps)


async def on_send_failed(envelope: Envelope[SendFailed], unit: Unit, deps: Deps) -> None:
    """OpenPhone refused the message itself, or the egress ran out of attempts."""
    await _not_sent(envelope, envelope.data.reason, unit, deps)


async def _not_sent(
    envelope: Envelope[SendRefused] | Envelope[SendDeferred] | Envelope[SendFailed],
    reason: str,
    unit: Unit,
    deps: Deps,
) -> None:
    """The check fails at stage `send` with the egress's reason; counts toward alerting."""
    result = envelope.data  # an answer to the canary's request (routes() picks them)
    check = await store.get(session=unit.session, check_id=result.request_id, lock=True)
    if check is None or not check.pending:
        return
    decision = send_refused(check, reason=reason, now=deps.clock(), event_type=envelope.type)
    recorded = await record(
        session=unit.session, check=check, decision=decision, config=deps.recording
    )
    unit.after_commit(_observe(recorded, deps))


def _observe(recorded: Recorded, deps: Deps) -> Callable[[], None]:
    return lambda: observe(recorded, config=deps.recording, metrics=deps.metrics)


_MESSAGE_TYPES = ("message.received", "message.delivered", "message.failed", "message.undelivered")
_NOT_SENT: dict[str, Callable[[Any, Unit, Deps], Awaitable[None]]] = {
    "send.refused": on_send_refused,
    "send.deferred": on_send_deferred,
    "send.failed": on_send_failed,
}


def routes(deps: Deps) -> Routes:
    """The event types the monitor looks at; anything else on its topics is skipped."""

    def about_the_canary(envelope: Envelope[Any]) -> bool:
        return may_concern_canary(envelope.type, envelope.data.to, deps.canary_to)

    def from_the_canary(envelope: Envelope[Any]) -> bool:
        return bool(envelope.data.requester == SOURCE)

    messages = Only(about_the_canary, bind(on_message_event, deps))
    return (
        dict.fromkeys(_MESSAGE_TYPES, messages)
        | {"send.accepted": Only(from_the_canary, on_send_accepted)}
        | {kind: Only(from_the_canary, bind(handler, deps)) for kind, handler in _NOT_SENT.items()}
    )
