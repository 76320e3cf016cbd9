"""The local copy of compliance's consent changes (consent_suppressions), one row a number."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.domain.consent import Suppression
from smsbus.campaigns.models import SuppressionRow


async def suppression_for_update(*, session: AsyncSession, phone: str) -> Suppression | None:
    row = await session.get(SuppressionRow, phone, with_for_update=True)
    if row is None:
        return None
    return Suppression(row.phone, row.suppressed, row.changed_at, row.entry_id)


async def save_suppression(*, session: AsyncSession, suppression: Suppression) -> None:
    """Inserted or updated (the row, if any, was loaded by `suppression_for_update`)."""
    row = await session.get(SuppressionRow, suppression.phone)
    if row is None:
        session.add(SuppressionRow(**asdict(suppression)))
        return
    row.suppressed, row.changed_at = suppression.suppressed, suppression.changed_at
    row.entry_id = suppression.entry_id
    session.add(row)
