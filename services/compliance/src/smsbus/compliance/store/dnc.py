"""DNC lists: streaming imports (COPY into a staging table, then one set-based merge) and
lookups. An import is one transaction (the caller's): a bad file leaves nothing behind.

- `plain` replaces the whole named list;
- `ftc_full` replaces the list's numbers in the area codes the file covers (the FTC ships one
  file per area code);
- `ftc_change` adds and deletes what the file says (the last record of a number wins).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.compliance.domain.dnc import DncFormat, DncRecord
from smsbus.compliance.models import DncListRow, DncNumberRow, InternalDncRow
from smsbus.runtime.tables import table

LISTS = table(DncListRow)
NUMBERS = table(DncNumberRow)
INTERNAL = table(InternalDncRow)

_STAGE = (
    "CREATE TEMP TABLE dnc_stage (seq bigint NOT NULL, phone text NOT NULL, "
    "action char(1) NOT NULL, area text) ON COMMIT DROP"
)
_LATEST = (
    "CREATE TEMP TABLE dnc_latest ON COMMIT DROP AS SELECT DISTINCT ON (phone) phone, action, "
    "area FROM dnc_stage ORDER BY phone, seq DESC"
)
_REMOVE_CHANGES = (
    "DELETE FROM dnc_numbers d USING dnc_latest s "
    "WHERE d.list_name = :name AND d.phone = s.phone AND s.action = 'D'"
)
_REMOVE_MISSING = (
    "DELETE FROM dnc_numbers d WHERE d.list_name = :name {scope} "
    "AND NOT EXISTS (SELECT 1 FROM dnc_latest s WHERE s.phone = d.phone)"
)
_ADD = (
    "INSERT INTO dnc_numbers (phone, list_name, list_id) SELECT phone, :name, :list_id "
    "FROM dnc_latest WHERE action = 'A' ON CONFLICT (phone, list_name) DO NOTHING"
)


@dataclass
class ImportSummary:
    list_name: str
    version: int
    format: DncFormat
    filename: str | None
    imported_at: datetime
    records: int = 0
    added: int = 0
    removed: int = 0
    total: int = 0
    area_codes: list[str] = field(default_factory=list)


async def import_list(
    *,
    session: AsyncSession,
    name: str,
    fmt: DncFormat,
    filename: str | None,
    records: AsyncIterator[DncRecord],
    imported_at: datetime,
) -> ImportSummary:
    """Streams `records` into the list as a new version; raises whatever `records` raises."""
    conn = await session.connection()
    await conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('compliance.dnc:' || :n))"), {"n": name}
    )
    latest = await conn.scalar(
        select(LISTS.c.version)
        .where(LISTS.c.name == name)
        .order_by(LISTS.c.version.desc())
        .limit(1)
    )
    summary = ImportSummary(name, (latest or 0) + 1, fmt, filename, imported_at)
    list_id = await conn.scalar(
        pg_insert(LISTS)
        .values(name=name, version=summary.version, format=fmt, filename=filename,
                imported_at=imported_at, records=0, added=0, removed=0, total=0, area_codes=[])
        .returning(LISTS.c.id)
    )  # fmt: skip
    await conn.execute(text(_STAGE))
    areas: set[str] = set()

    async def rows() -> AsyncIterator[tuple[int, str, str, str | None]]:
        async for record in records:
            summary.records += 1
            if record.area_code:
                areas.add(record.area_code)
            yield (
                summary.records,
                record.phone,
                "A" if record.action == "add" else "D",
                record.area_code,
            )

    driver = (await conn.get_raw_connection()).driver_connection
    await driver.copy_records_to_table(  # type: ignore[union-attr]
        "dnc_stage", records=rows(), columns=["seq", "phone", "action", "area"]
    )
    await conn.execute(text(_LATEST))
    await conn.execute(text("ANALYZE dnc_latest"))
    params: dict[str, Any] = {"name": name, "list_id": list_id}
    if fmt == "ftc_change":
        removed = await conn.execute(text(_REMOVE_CHANGES), params)
    elif fmt == "ftc_full":
        scope = "AND substr(d.phone, 3, 3) = ANY(:areas)"
        removed = await conn.execute(
            text(_REMOVE_MISSING.format(scope=scope)), params | {"areas": sorted(areas)}
        )
    else:
        removed = await conn.execute(text(_REMOVE_MISSING.format(scope="")), params)
    added = await conn.execute(text(_ADD), params)
    summary.removed, summary.added = removed.rowcount, added.rowcount
    summary.total = int(
        await conn.scalar(text("SELECT count(*) FROM dnc_numbers WHERE list_name = :name"), params)
        or 0
    )
    summary.area_codes = sorted(areas)
    await conn.execute(
        LISTS.update().where(LISTS.c.id == list_id).values(
            records=summary.records, added=summary.added, removed=summary.removed,
            total=summary.total, area_codes=summary.area_codes,
        )
    )  # fmt: skip
    return summary


@dataclass(frozen=True)
class Listing:
    list_name: str
    version: int
    imported_at: datetime


async def listings(*, session: AsyncSession, phones: Sequence[str]) -> dict[str, list[Listing]]:
    """The lists each number is on (with the version that added it)."""
    query = (
        select(NUMBERS.c.phone, LISTS.c.name, LISTS.c.version, LISTS.c.imported_at)
        .join(LISTS, LISTS.c.id == NUMBERS.c.list_id)
        .where(NUMBERS.c.phone.in_(phones))
        .order_by(NUMBERS.c.phone, LISTS.c.name)
    )
    found: dict[str, list[Listing]] = {phone: [] for phone in phones}
    for phone, name, version, at in (await (await session.connection()).execute(query)).all():
        found[phone].append(Listing(name, version, at))
    return found


async def internal_entries(
    *, session: AsyncSession, phones: Sequence[str]
) -> dict[str, dict[str, Any]]:
    query = select(INTERNAL).where(INTERNAL.c.phone.in_(phones))
    rows = (await (await session.connection()).execute(query)).mappings()
    return {row["phone"]: dict(row) for row in rows}


async def add_internal(
    *, session: AsyncSession, phone: str, reason: str, actor: str, at: datetime
) -> None:
    statement = pg_insert(INTERNAL).values(phone=phone, reason=reason, actor=actor, added_at=at)
    statement = statement.on_conflict_do_update(
        index_elements=["phone"], set_={"reason": reason, "actor": actor}
    )
    await (await session.connection()).execute(statement)


async def remove_internal(*, session: AsyncSession, phone: str) -> bool:
    result = await (await session.connection()).execute(
        INTERNAL.delete().where(INTERNAL.c.phone == phone)
    )
    return bool(result.rowcount)
