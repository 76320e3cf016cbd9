"""Contact imports: the job's row (queued → running → succeeded | failed, its counts, its
heartbeat) and the contacts an import touched, for lists and campaign audiences by import id.
The chunks themselves go in through `import_chunks`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import func, insert, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.campaigns.models import ContactImportRow, ContactRow, ImportContactRow
from smsbus.runtime.db import execute

_IMPORTS = ContactImportRow.__table__  # type: ignore[attr-defined]


async def create_import(
    *,
    session: AsyncSession,
    import_id: str,
    file_name: str | None,
    file_bytes: int,
    mapping: dict[str, str] | None,
    list_id: str | None,
    check_lines: bool = False,
) -> ContactImportRow:
    await execute(
        session,
        insert(_IMPORTS).values(
            id=import_id, status="queued", file_name=file_name, file_bytes=file_bytes,
            bytes_read=0, rows_read=0, imported=0, created=0, invalid=0, duplicates=0, errors=[],
            mapping=mapping, list_id=list_id, check_lines=check_lines, heartbeat_at=func.now(),
        ),
    )  # fmt: skip
    row = await get_import(session=session, import_id=import_id)
    assert row is not None
    return row


async def start_import(*, session: AsyncSession, import_id: str) -> bool:
    """queued → running; False when it is not queued any more (a sweep failed it)."""
    rows = await execute(
        session,
        text(
            "UPDATE contact_imports SET status = 'running', started_at = now(), "
            "heartbeat_at = now() WHERE id = :i AND status = 'queued' RETURNING id"
        ),
        {"i": import_id},
    )
    return rows.first() is not None


async def finish_import(
    *, session: AsyncSession, import_id: str, status: str, reason: str | None = None
) -> None:
    """Succeeded or failed, once: an import already finished keeps its outcome."""
    await execute(
        session,
        text(
            "UPDATE contact_imports SET status = :s, reason = :r, finished_at = now(), "
            "bytes_read = CASE WHEN :done THEN file_bytes ELSE bytes_read END "
            "WHERE id = :i AND status IN ('queued', 'running')"
        ),
        {"i": import_id, "s": status, "r": reason, "done": status == "succeeded"},
    )


async def heartbeat(*, session: AsyncSession, import_ids: Sequence[str]) -> None:
    if import_ids:
        await execute(
            session,
            text(
                "UPDATE contact_imports SET heartbeat_at = now() "
                "WHERE id = ANY(:ids) AND status IN ('queued', 'running')"
            ),
            {"ids": list(import_ids)},
        )


async def fail_interrupted(*, session: AsyncSession, stale_seconds: float) -> list[str]:
    """Queued or running imports whose process stopped renewing them (it restarted or died:
    the upload it held is gone) are failed."""
    rows = await execute(
        session,
        text(
            "UPDATE contact_imports SET status = 'failed', finished_at = now(), "
            "reason = 'interrupted: the engine process holding it stopped' "
            "WHERE status IN ('queued', 'running') "
            "AND heartbeat_at < now() - make_interval(secs => :s) RETURNING id"
        ),
        {"s": stale_seconds},
    )
    return [r[0] for r in rows]


async def get_import(*, session: AsyncSession, import_id: str) -> ContactImportRow | None:
    statement = select(ContactImportRow).where(ContactImportRow.id == import_id)
    return (await session.exec(statement.execution_options(populate_existing=True))).one_or_none()


async def recent_imports(*, session: AsyncSession, limit: int) -> list[ContactImportRow]:
    statement = select(ContactImportRow).order_by(
        col(ContactImportRow.created_at).desc(), col(ContactImportRow.id)
    )
    return list((await session.exec(statement.limit(limit))).all())


# The contacts an import touched (lists and campaign audiences by import id).

PAGE = 5000


async def imported_contacts(
    *, session: AsyncSession, import_id: str, page: int = PAGE
) -> AsyncIterator[Sequence[ContactRow]]:
    """The import's contacts (not deleted since), a page at a time (a server-side cursor: an
    import of a million contacts is never in memory at once)."""
    statement = (
        select(ContactRow)
        .join(ImportContactRow, col(ImportContactRow.contact_id) == col(ContactRow.id))
        .where(ImportContactRow.import_id == import_id, ContactRow.deleted == False)  # noqa: E712
        .execution_options(yield_per=page)
    )
    result = await session.stream_scalars(statement)
    async for found in result.partitions(page):
        yield found


async def add_import_to_list(
    *, session: AsyncSession, list_id: str, import_id: str
) -> tuple[int, int]:
    """Every contact of the import (not deleted) joins the static list: (added, offered)."""
    row = (
        await execute(
            session,
            text(
                "WITH offered AS (SELECT i.contact_id FROM import_contacts i JOIN contacts c "
                "ON c.id = i.contact_id WHERE i.import_id = :i AND NOT c.deleted), "
                "added AS (INSERT INTO list_contacts (list_id, contact_id) "
                "SELECT :l, contact_id FROM offered ON CONFLICT DO NOTHING RETURNING 1) "
                "SELECT (SELECT count(*) FROM added) AS added, "
                "(SELECT count(*) FROM offered) AS offered"
            ),
            {"l": list_id, "i": import_id},
        )
    ).one()
    return int(row.added), int(row.offered)


async def imported_phones(*, session: AsyncSession, import_id: str) -> list[str]:
    """The numbers of the contacts this import created or updated."""
    rows = await execute(
        session,
        text(
            "SELECT DISTINCT c.phone FROM import_contacts i JOIN contacts c ON c.id = i.contact_id "
            "WHERE i.import_id = :i ORDER BY c.phone"
        ),
        {"i": import_id},
    )
    return [str(row.phone) for row in rows]


async def record_lines(*, session: AsyncSession, import_id: str, lines: dict[str, Any]) -> None:
    """The outcome of checking the import's numbers at compliance."""
    await execute(session, update(_IMPORTS).where(_IMPORTS.c.id == import_id).values(lines=lines))


async def record_consent(*, session: AsyncSession, import_id: str, consent: dict[str, Any]) -> None:
    """compliance's view of the consent import of this import's consent rows."""
    await execute(
        session,
        update(_IMPORTS)
        .where(_IMPORTS.c.id == import_id)
        .values(consent_import_id=consent.get("id"), consent=consent),
    )
