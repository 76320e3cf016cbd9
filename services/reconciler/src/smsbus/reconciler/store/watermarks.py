"""`watermarks`: where a pass resumes, one row per pass name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.reconciler.models import WatermarkRow

_TABLE = WatermarkRow.__table__  # type: ignore[attr-defined]


async def get_watermark(*, session: AsyncSession, name: str) -> datetime | None:
    row = await session.get(WatermarkRow, name)
    return None if row is None else row.position


async def set_watermark(
    *, session: AsyncSession, name: str, position: datetime, now: datetime
) -> None:
    statement = insert(_TABLE).values(name=name, position=position, updated_at=now)
    await session.exec(
        statement.on_conflict_do_update(
            index_elements=["name"],
            set_={"position": statement.excluded.position, "updated_at": now},
        )
    )
