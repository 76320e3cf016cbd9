"""The template library's rows, and the member counts of every campaign variant made from a
saved template (its performance)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.models import TemplateRow
from smsbus.runtime.db import execute


async def get_template(*, session: AsyncSession, template_id: str) -> TemplateRow | None:
    return await session.get(TemplateRow, template_id)


async def live_named(*, session: AsyncSession, name: str) -> TemplateRow | None:
    query = select(TemplateRow).where(
        col(TemplateRow.name) == name, col(TemplateRow.archived_at).is_(None)
    )
    return (await session.exec(query)).first()


async def templates(*, session: AsyncSession, archived: bool) -> list[TemplateRow]:
    query = select(TemplateRow).order_by(col(TemplateRow.name), col(TemplateRow.created_at))
    if not archived:
        query = query.where(col(TemplateRow.archived_at).is_(None))
    return list((await session.exec(query)).all())


async def save(*, session: AsyncSession, row: TemplateRow, now: datetime) -> TemplateRow:
    row.updated_at = now
    session.add(row)
    await session.flush()
    await session.refresh(row)
    return row


_USES = text(
    """
    SELECT v.value->>'template_id' AS template_id,
           CAST(v.value->>'template_version' AS integer) AS version,
           c.id AS campaign_id, c.name AS campaign_name, v.value->>'name' AS variant,
           count(m.id) AS members,
           count(m.sent_at) AS sent,
           count(m.id) FILTER (WHERE m.delivered_at IS NOT NULL OR m.responded_at IS NOT NULL)
               AS delivered,
           count(m.id) FILTER (WHERE m.status IN ('failed', 'undelivered')) AS failed,
           count(m.responded_at) AS responded,
           count(m.opted_out_at) AS opted_out
    FROM campaigns c
    CROSS JOIN LATERAL jsonb_array_elements(c.variants) AS v
    LEFT JOIN members m ON m.campaign_id = c.id AND m.variant = v.value->>'name'
    WHERE v.value->>'template_id' = ANY(:ids)
    GROUP BY 1, 2, 3, 4, 5, c.created_at
    ORDER BY c.created_at, c.id, variant
    """
)


async def uses(
    *, session: AsyncSession, template_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Template id → its uses (one per campaign variant made from it) with member counts."""
    found: dict[str, list[dict[str, Any]]] = {template_id: [] for template_id in template_ids}
    for row in await execute(session, _USES, {"ids": template_ids}):
        use = dict(row._mapping)
        found[use.pop("template_id")].append(use)
    return found
