"""`watermarks`: where a pass resumes, one row per pass name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.reconciler.models import WatermarkRow
from smsbus.runtime.db import execute
from smsbus.runtime.tables import table

_TABLE = table(WatermarkRow)


async def get_watermark(*, session: AsyncSession, name: str) -> datetime | None:
    statement = select(_TABLE.c.position).where(_TABLE.c.name == name)
    position: datetime | None = (await execute(session, statement)).scalar_one_or_none()
    return position


async def set_watermark(
    *, session: AsyncSession, name: str, position: datetime, now: datetime
) -> None:
    statement = insert(_TABLE).values(name=name, position=position, updated_at=now)
    await execute(
        session,
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"position": statement.excluded.position, "updated_at": now},
        ),
    )
