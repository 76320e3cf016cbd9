"""A consent change, written once: the number locked, its state read, the domain's decision
written and its consent event put in the outbox, in the caller's transaction. The inbound
handler (a text asked for it) and the API (a change recorded outside SMS) both record through
`record_change`; only the deciding differs, and the caller passes it in. A consent import
writes its chunks' decisions itself and puts their events in the outbox through `emit_change`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.domain.decisions import Decision, NumberState
from smsbus.compliance.domain.ledger import RevocationScope
from smsbus.compliance.events import consent_envelope
from smsbus.compliance.store import consent as store
from smsbus.contracts import Envelope
from smsbus.runtime.outbox import add_to_outbox


async def record_change(
    *,
    session: AsyncSession,
    phone: str,
    revocation_scope: RevocationScope,
    decide: Callable[[NumberState], Decision],
    topic: str,
    cause: Envelope[Any] | None = None,
) -> Decision:
    """`decide` gets the number's state under its lock and answers the decision recorded.
    `cause`: the inbound event the change answers (its correlation id is kept)."""
    await store.lock_number(session=session, phone=phone)
    state = await store.load_state(session=session, phone=phone, revocation_scope=revocation_scope)
    decision = decide(state)
    await store.apply_decision(session=session, decision=decision)
    await emit_change(session=session, decision=decision, topic=topic, cause=cause)
    return decision


async def emit_change(
    *,
    session: AsyncSession,
    decision: Decision,
    topic: str,
    cause: Envelope[Any] | None = None,
    correlation_id: str | None = None,
) -> None:
    """The decision's consent event into the outbox; a decision that appends no ledger entry
    (a HELP reply, a text that asks for nothing) emits nothing. `correlation_id` where no
    event caused it (an import's)."""
    if decision.entry is not None:
        envelope = consent_envelope(decision.entry, cause, correlation_id=correlation_id)
        await add_to_outbox(session, envelope, topic=topic)
