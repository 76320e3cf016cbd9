"""compliance's consent changes, copied locally so the dispatcher skips an opted-out number
before it asks the egress (whose gate is the final word).

A revocation scoped to one purpose (compliance's revocation scope `purpose`: a STOP to a
marketing text) takes the person out of that purpose's campaigns only and suppresses nothing
locally: eligibility, asked per purpose, and the egress's gate say the rest."""

from __future__ import annotations

from functools import partial
from typing import Any

from smsbus.campaigns import events
from smsbus.campaigns.domain import status as machine
from smsbus.campaigns.handlers.deps import Deps
from smsbus.campaigns.models import SuppressionRow
from smsbus.campaigns.store import campaigns as store
from smsbus.contracts import Envelope
from smsbus.contracts.campaigns import MemberSkipped
from smsbus.contracts.consent import ConsentGranted, ConsentRevoked
from smsbus.runtime.outbox import add_to_outbox
from smsbus.runtime.routes import Unit

PURPOSES = ("marketing", "transactional")


async def on_consent_revoked(envelope: Envelope[ConsentRevoked], unit: Unit, deps: Deps) -> None:
    """Suppress the number and take it out of every active campaign at once (of the one
    purpose the revocation names, if it names one)."""
    change = envelope.data
    now = deps.clock()
    session = unit.session
    purpose = change.scope if change.scope in PURPOSES else None
    if purpose is None and not await _record_consent(session, change, suppressed=True):
        return
    members = await store.active_members_of(session=session, phone=change.phone, purpose=purpose)
    for member in members:
        if member.status == "pending":
            member.status, member.reason, member.next_attempt_at = "skipped", "opted_out", None
            event = MemberSkipped(**events.member_fields(member, now), reason="opted_out")
            await add_to_outbox(
                session, events.envelope(event, recorded_at=now), topic=deps.events_topic
            )
        # A member `sending` is left to the egress, which holds the final word: its gate
        # (under the number's lock) refuses the request `opted_out` and the refused result
        # skips the member (handlers/results.py); a text that had already left comes back
        # accepted and is recorded as sent.
        elif member.sent_at is not None and member.opted_out_at is None:
            member.opted_out_at = change.received_at
            member.status = machine.advance(member.status, "opted_out")
        session.add(member)
    if deps.eligibility is not None:
        unit.after_commit(partial(deps.eligibility.forget, change.phone))


async def on_consent_granted(envelope: Envelope[ConsentGranted], unit: Unit, deps: Deps) -> None:
    session = unit.session
    await _record_consent(session, envelope.data, suppressed=False)
    if deps.eligibility is not None:
        unit.after_commit(partial(deps.eligibility.forget, envelope.data.phone))


async def _record_consent(
    session: Any, change: ConsentRevoked | ConsentGranted, *, suppressed: bool
) -> bool:
    """Applies the change unless a later one is already recorded; True when applied."""
    row = await session.get(SuppressionRow, change.phone, with_for_update=True)
    if row is not None and row.changed_at is not None and row.changed_at > change.received_at:
        return False
    row = row or SuppressionRow(phone=change.phone, suppressed=suppressed, entry_id=change.entry_id)
    row.suppressed, row.changed_at, row.entry_id = suppressed, change.received_at, change.entry_id
    session.add(row)
    return True
