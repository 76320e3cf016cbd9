"""What both passes do with the facts they read: the missing ones recorded as seen and their
synthetic envelopes put in the outbox, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.contracts import route_for
from smsbus.reconciler.domain.facts import Fact
from smsbus.reconciler.domain.judging import missing_facts
from smsbus.reconciler.domain.synthetic import synthetic_envelope
from smsbus.reconciler.store.seen import claim_missing, seen_keys
from smsbus.runtime.outbox import add_to_outbox


async def emit_missing(
    *,
    session: AsyncSession,
    facts: Sequence[Fact],
    since: datetime,
    cutoff: datetime,
    correlation_id: str,
    topics: Mapping[str, str],
    now: datetime,
) -> list[Fact]:
    """Emits each fact from `since` to `cutoff` that no event on the topics carries yet, once
    across passes and replicas (only the seen rows this call inserts are emitted, so a webhook
    or another pass that lands meanwhile wins); answers the facts emitted."""
    seen = await seen_keys(session=session, keys=(fact.dedupe_key for fact in facts))
    missing = missing_facts(facts, seen=seen, since=since, cutoff=cutoff)
    claimed = await claim_missing(session=session, facts=missing, seen_at=now)
    emitted = [fact for fact in missing if fact.dedupe_key in claimed]
    for fact in emitted:
        envelope = synthetic_envelope(fact, run_id=correlation_id, recorded_at=now)
        topic = route_for(fact.event_type).topic
        await add_to_outbox(session, envelope, topic=topics.get(topic, topic))
    return emitted
