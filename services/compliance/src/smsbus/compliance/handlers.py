"""Handlers: load → domain → store + outbox, in the transaction the runtime opened for the
batch (with its inbox rows). No business rules here; `routes(deps)` maps the event types
compliance acts on (inbound messages, send requests) to their handler.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from smsbus.compliance.consent_changes import emit_change, record_change
from smsbus.compliance.domain.classifier import Classification, classify
from smsbus.compliance.domain.decisions import (
    Decision,
    InboundSms,
    NewId,
    NumberState,
    decide_inbound,
)
from smsbus.compliance.domain.ledger import RevocationScope
from smsbus.compliance.domain.phones import normalise_or_keep
from smsbus.compliance.domain.texts import ReplyTexts
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.settings import Settings
from smsbus.compliance.store import consent as store
from smsbus.compliance.store import outbound, threads
from smsbus.contracts import Envelope, Message, SendRequested
from smsbus.runtime.routes import Batched, Routes, Unit, bind

_IDS = uuid.UUID("6f1c2b4e-8d3a-5e7f-9a1b-c0d2e4f6a8b0")


@dataclass(frozen=True)
class Deps:
    """What the handlers need; built once by the composition root."""

    texts: ReplyTexts
    clock: Callable[[], datetime]
    consent_topic: str
    default_region: str = "US"
    help_interval: timedelta = timedelta(hours=24)
    metrics: ComplianceMetrics | None = None
    revocation_scope: RevocationScope = "all"

    @classmethod
    def of(
        cls,
        settings: Settings,
        *,
        texts: ReplyTexts,
        clock: Callable[[], datetime],
        metrics: ComplianceMetrics | None,
    ) -> Deps:
        return cls(
            texts=texts,
            clock=clock,
            consent_topic=settings.topic_for("consent.revoked"),
            default_region=settings.default_region,
            help_interval=timedelta(hours=settings.help_interval_hours),
            metrics=metrics,
            revocation_scope=settings.revocation_scope,
        )


async def on_messages_received(
    envelopes: Sequence[Envelope[Message]], unit: Unit, deps: Deps
) -> None:
    """A run of inbound messages in one transaction. The numbers that asked for something are
    locked in one statement and read in one; a number with one such message in the run has
    its decision written together with the others' in one statement; a number with several is
    decided message by message, each against its state after the previous one. Under the
    revocation scope `purpose`, what each opt-out answered is read in one statement too."""
    asks: list[tuple[Envelope[Message], InboundSms, Classification]] = []
    for envelope in envelopes:
        if envelope.data.direction != "incoming":
            continue
        sms = inbound_sms(envelope, default_region=deps.default_region)
        asks.append((envelope, sms, classify(sms.text)))
    acting = [ask for ask in asks if ask[2].intent != "none"]
    times = Counter(sms.phone for _, sms, _ in acting)
    phones = sorted(times)
    await store.lock_numbers(session=unit.session, phones=phones)
    scope = deps.revocation_scope
    states = await store.load_states(session=unit.session, phones=phones, revocation_scope=scope)
    answered = await _replied_to(unit, acting, deps)
    decided: list[tuple[Envelope[Message], Decision]] = []
    for (envelope, sms, classification), replied in zip(acting, answered, strict=True):
        if times[sms.phone] == 1:
            state = states[sms.phone]
            decision = _decide(envelope, sms, classification, state, deps=deps, replied=replied)
            decided.append((envelope, decision))
    await store.apply_decisions(session=unit.session, decisions=[d for _, d in decided])
    topic = deps.consent_topic
    for envelope, decision in decided:
        await emit_change(session=unit.session, decision=decision, topic=topic, cause=envelope)
    for (envelope, sms, classification), replied in zip(acting, answered, strict=True):
        if times[sms.phone] > 1:
            decision = await record_change(
                session=unit.session,
                phone=sms.phone,
                revocation_scope=scope,
                decide=partial(_decide, envelope, sms, classification, deps=deps, replied=replied),
                topic=topic,
                cause=envelope,
            )
            decided.append((envelope, decision))
    for envelope, decision in decided:
        if decision.entry is not None:
            unit.after_commit(_latency(deps, envelope, decision.entry.action))
    if deps.metrics:
        unit.after_commit(_count_decisions(deps.metrics, [c for _, _, c in asks]))


async def _replied_to(
    unit: Unit, acting: Sequence[tuple[Any, InboundSms, Classification]], deps: Deps
) -> list[str | None]:
    """The purpose of the campaign text each opt-out answered (revocation scope `purpose`)."""
    if deps.revocation_scope == "all":
        return [None] * len(acting)
    asked = [
        (place, threads.Reply(sms.phone, sms.line, sms.line_number, sms.received_at))
        for place, (_, sms, classification) in enumerate(acting)
        if classification.intent == "opt_out"
    ]
    found = await threads.replied_to(session=unit.session, replies=[r for _, r in asked])
    answered: list[str | None] = [None] * len(acting)
    for (place, _), purpose in zip(asked, found, strict=True):
        answered[place] = purpose
    return answered


def _decide(
    envelope: Envelope[Message],
    sms: InboundSms,
    classification: Classification,
    state: NumberState,
    *,
    deps: Deps,
    replied: str | None,
) -> Decision:
    return decide_inbound(
        sms,
        classification,
        state,
        texts=deps.texts,
        now=deps.clock(),
        new_id=ids_for(envelope),
        help_interval=deps.help_interval,
        revocation_scope=deps.revocation_scope,
        replied_to=replied,
    )


async def on_send_requested(envelope: Envelope[SendRequested], unit: Unit, deps: Deps) -> None:
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
    await outbound.add_request(conn=await unit.session.connection(), request=request)


def _latency(deps: Deps, envelope: Envelope[Message], action: str) -> Callable[[], None]:
    def observe() -> None:
        if deps.metrics:
            latency = (deps.clock() - envelope.recorded_at).total_seconds()
            deps.metrics.suppression_latency.labels(action=action).observe(latency)

    return observe


def _count_decisions(
    metrics: ComplianceMetrics, classifications: list[Classification]
) -> Callable[[], None]:
    def count() -> None:
        for classification in classifications:
            metrics.decisions.labels(
                intent=classification.intent, language=classification.language or "und"
            ).inc()

    return count


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
        line_number=message.to[0] if message.phone_number_id else None,
    )


def ids_for(envelope: Envelope[Any]) -> NewId:
    """Ids derived from the inbound fact, so a redelivery rebuilds the same decision."""
    return lambda purpose: str(uuid.uuid5(_IDS, f"{envelope.dedupe_key}/{purpose}"))


def routes(deps: Deps) -> Routes:
    """The event types compliance acts on; every other type on its topics is skipped."""

    async def messages_received(envelopes: Sequence[Envelope[Message]], unit: Unit) -> None:
        await on_messages_received(envelopes, unit, deps)

    return {
        "message.received": Batched(messages_received),
        "send.requested": bind(on_send_requested, deps),
    }
