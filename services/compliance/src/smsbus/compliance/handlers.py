"""Subscribers: decode → load → domain → store + outbox, in one transaction with the inbox row.

No business rules here; `HANDLERS` maps the event types compliance acts on (inbound messages,
send requests) to their handler, and every other type on a topic is ignored.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from smsbus.compliance.domain.classifier import classify
from smsbus.compliance.domain.decisions import InboundSms, NewId, decide_inbound
from smsbus.compliance.domain.phones import normalise_or_keep
from smsbus.compliance.domain.texts import ReplyTexts
from smsbus.compliance.events import consent_envelope
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.store import consent as store
from smsbus.compliance.store import outbound
from smsbus.contracts import Envelope, Message, SendRequested
from smsbus.runtime.db import Sessions
from smsbus.runtime.inbox import mark_processed
from smsbus.runtime.outbox import add_to_outbox

_IDS = uuid.UUID("6f1c2b4e-8d3a-5e7f-9a1b-c0d2e4f6a8b0")


@dataclass(frozen=True)
class Deps:
    """What the handlers need; built once by the composition root."""

    sessions: Sessions
    texts: ReplyTexts
    clock: Callable[[], datetime]
    consent_topic: str
    consumer: str = "compliance"
    default_region: str = "US"
    help_interval: timedelta = timedelta(hours=24)
    metrics: ComplianceMetrics | None = None


async def on_message_received(envelope: Envelope[Message], deps: Deps) -> None:
    message = envelope.data
    if message.direction != "incoming":
        return
    sms = inbound_sms(envelope, default_region=deps.default_region)
    classification = classify(sms.text)
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        decision = None
        if classification.intent != "none":
            await store.lock_number(session=session, phone=sms.phone)
            state = await store.load_state(session=session, phone=sms.phone)
            decision = decide_inbound(
                sms,
                classification,
                state,
                texts=deps.texts,
                now=deps.clock(),
                new_id=ids_for(envelope),
                help_interval=deps.help_interval,
            )
            await store.apply_decision(session=session, decision=decision)
            if decision.entry is not None:
                await add_to_outbox(
                    session, consent_envelope(decision.entry, envelope), topic=deps.consent_topic
                )
    if deps.metrics:
        deps.metrics.decisions.labels(
            intent=classification.intent, language=classification.language or "und"
        ).inc()
        if decision is not None and decision.entry is not None:
            latency = (deps.clock() - envelope.recorded_at).total_seconds()
            deps.metrics.suppression_latency.labels(action=decision.entry.action).observe(latency)


async def on_send_requested(envelope: Envelope[SendRequested], deps: Deps) -> None:
    """Another service asks the egress for a text: queued (once per request id), decided and
    sent by the egress's loop, answered on outbound.results.v1."""
    ask = envelope.data
    window = ask.window.model_dump_json() if ask.window is not None else None
    request = outbound.NewRequest(
        id=ask.request_id,
        purpose=ask.purpose,
        requester=ask.requester,
        phone=ask.to,
        line=ask.line,
        text=ask.text,
        requested_at=ask.requested_at,
        campaign_id=ask.campaign_id,
        member_id=ask.member_id,
        send_window=window,
        recipient_state=ask.recipient_state,
        expires_at=ask.expires_at,
        received_at=deps.clock(),
    )
    async with deps.sessions() as session, session.begin():
        if not await mark_processed(session=session, consumer=deps.consumer, envelope=envelope):
            return
        await outbound.add_request(conn=await session.connection(), request=request)


def inbound_sms(envelope: Envelope[Message], *, default_region: str) -> InboundSms:
    message = envelope.data
    return InboundSms(
        message_id=message.id,
        phone=normalise_or_keep(message.from_, default_region=default_region),
        line=message.phone_number_id or message.to[0],
        text=message.text,
        received_at=message.created_at,
        ingested_at=envelope.recorded_at,
        dedupe_key=envelope.dedupe_key,
    )


def ids_for(envelope: Envelope[Any]) -> NewId:
    """Ids derived from the inbound fact, so a redelivery rebuilds the same decision."""
    return lambda purpose: str(uuid.uuid5(_IDS, f"{envelope.dedupe_key}/{purpose}"))


Handler = Callable[[Envelope[Any], Deps], Awaitable[None]]
HANDLERS: dict[str, Handler] = {
    "message.received": on_message_received,
    "send.requested": on_send_requested,
}


def dispatcher(deps: Deps) -> Callable[[Envelope[Any]], Awaitable[None]]:
    """The one handler `subscribe()` gets for the messages topic."""

    async def handle(envelope: Envelope[Any]) -> None:
        handler = HANDLERS.get(envelope.type)
        if handler is not None:
            await handler(envelope, deps)

    return handle
