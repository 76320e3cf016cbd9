"""compliance's consent changes, copied locally (domain/consent.py): the number's suppression,
and its members in unfinished campaigns taken out at once."""

from __future__ import annotations

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain import consent
from smsbus.campaigns.handlers.deps import Deps
from smsbus.campaigns.handlers.record import record_move
from smsbus.campaigns.store import campaigns as store
from smsbus.campaigns.store import members as member_store
from smsbus.campaigns.store import suppressions as suppression_store
from smsbus.contracts import Envelope
from smsbus.contracts.consent import ConsentGranted, ConsentRevoked
from smsbus.runtime.routes import Unit


async def on_consent_revoked(envelope: Envelope[ConsentRevoked], unit: Unit, deps: Deps) -> None:
    """Suppress the number and take it out of every active campaign at once (of the one
    purpose the revocation names, if it names one)."""
    change = envelope.data
    now = deps.clock()
    session = unit.session
    purpose = consent.revoked_purpose(change.scope)
    if purpose is None and not await _record_change(session, change, suppressed=True):
        return
    rows = await store.active_members_of(session=session, phone=change.phone, purpose=purpose)
    by_id = {row.id: row for row in rows}
    members = [member_store.as_member(row) for row in rows]
    for moved in consent.after_revocation(members, received_at=change.received_at, now=now):
        await record_move(
            session=session,
            row=by_id[moved.member.id],
            moved=moved,
            topic=deps.events_topic,
            recorded_at=now,
        )
    if deps.eligibility is not None:
        unit.after_commit(partial(deps.eligibility.forget, change.phone))


async def on_consent_granted(envelope: Envelope[ConsentGranted], unit: Unit, deps: Deps) -> None:
    await _record_change(unit.session, envelope.data, suppressed=False)
    if deps.eligibility is not None:
        unit.after_commit(partial(deps.eligibility.forget, envelope.data.phone))


async def _record_change(
    session: AsyncSession, change: ConsentRevoked | ConsentGranted, *, suppressed: bool
) -> bool:
    """The number's suppression after the change; False when a later change was recorded."""
    current = await suppression_store.suppression_for_update(session=session, phone=change.phone)
    after = consent.record_change(
        current,
        phone=change.phone,
        suppressed=suppressed,
        at=change.received_at,
        entry_id=change.entry_id,
    )
    if after is None:
        return False
    await suppression_store.save_suppression(session=session, suppression=after)
    return True
