"""An import's chunks into `contacts`: COPY into a temporary staging table, then one set-based
statement per chunk that upserts the contacts, records them against the import and adds them to
its list. On one asyncpg connection of the job's own (`bulk_connection`): COPY is asyncpg's,
not SQLAlchemy's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns.domain.contacts import ContactRow as ParsedContact
from smsbus.campaigns.domain.imports import Duplicate, Progress

STAGING = "contact_import_staging"
STAGING_COLUMNS = (
    "line", "phone", "first_name", "last_name", "company", "email", "state", "city", "zip",
    "fields",
)  # fmt: skip

StagingRow = tuple[int, str, str | None, str | None, str | None, str | None, str | None,
                   str | None, str | None, str]  # fmt: skip


def staging_row(row: ParsedContact) -> StagingRow:
    """A parsed row as the staging table's (STAGING_COLUMNS' order), for COPY in CSV format: a
    chunk travels as a few MB of CSV text, not as tens of MB of Python objects. A field the
    row leaves empty is NULL (CSV's unquoted empty value; a parsed value is never empty): the
    merge then keeps the contact's value, as upsert_contacts does."""
    get = row.standard.get
    state = get("state")
    return (
        row.line, row.phone, get("first_name"), get("last_name"), get("company"), get("email"),
        state.upper()[:2] if state else None, get("city"), get("zip"),
        to_json(row.custom).decode() if row.custom else "{}",
    )  # fmt: skip


@asynccontextmanager
async def bulk_connection(*, engine: AsyncEngine) -> AsyncIterator[Any]:
    """An asyncpg connection of the pool (the schema's search_path) with the staging table.
    SQLAlchemy is set to autocommit on it so that only asyncpg's transactions apply."""
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        # Sorts of a chunk (by phone, by line) fit in memory; a statement this size gains
        # nothing from JIT compilation, which costs ~0.1 s per statement.
        await driver.execute("SET work_mem = '64MB'; SET jit = off")
        await driver.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGING} (line integer NOT NULL, "
            "phone text NOT NULL, first_name text, last_name text, company text, email text, "
            "state text, city text, zip text, fields jsonb NOT NULL) ON COMMIT DELETE ROWS"
        )
        try:
            yield driver
        finally:
            if not driver.is_closed():
                await driver.execute(f"DROP TABLE IF EXISTS {STAGING}; RESET work_mem; RESET jit")


@dataclass(frozen=True)
class Merged:
    imported: int
    created: int
    duplicates: int
    duplicate_sample: tuple[Duplicate, ...]


def contact_id_prefix(*, at_ms: int, random_bits: int) -> str:
    """The first 28 characters of the ids of the contacts an import creates; each id ends with
    its row's line number in 8 hex digits. Together a version 7 UUID (RFC 9562): milliseconds
    since 1970, 42 random bits per import, the line. Ids that grow with time land at the
    right edge of the contacts' and import_contacts' primary keys instead of on a random page
    each (uuid4), the biggest cost of inserting a million contacts; and they cost PostgreSQL
    a concatenation, not a random UUID each."""
    value = (at_ms & (2**48 - 1)) << 80 | 0x7 << 76 | 0b10 << 62
    value |= (random_bits >> 30 & 0xFFF) << 64 | (random_bits & (2**30 - 1)) << 32
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:24]}"


# The chunk's phones are distinct (the reader drops repeats within a chunk). A row whose phone
# is a contact this import already took (an earlier chunk's row) is a duplicate: the upsert's
# WHERE leaves that contact alone (the first row wins) and RETURNING leaves it out; only rows
# that hit an existing contact pay for that look-up. The others are upserted in phone order
# (two imports lock shared contacts in the same order), recorded against the import and added
# to its list, all in one statement.
_MERGE = f"""
WITH merged AS (
    INSERT INTO contacts AS c (id, phone, first_name, last_name, company, email, state, city,
                               zip, fields, office_number, do_not_contact, deleted)
    SELECT $4 || lpad(to_hex(line), 8, '0'), phone, first_name, last_name, company, email,
           state, city, zip, fields, false, false, false
    FROM {STAGING} ORDER BY phone
    ON CONFLICT (phone) DO UPDATE SET
        first_name = COALESCE(EXCLUDED.first_name, c.first_name),
        last_name = COALESCE(EXCLUDED.last_name, c.last_name),
        company = COALESCE(EXCLUDED.company, c.company),
        email = COALESCE(EXCLUDED.email, c.email),
        state = COALESCE(EXCLUDED.state, c.state),
        city = COALESCE(EXCLUDED.city, c.city),
        zip = COALESCE(EXCLUDED.zip, c.zip),
        fields = c.fields || EXCLUDED.fields,
        updated_at = now(),
        deleted = false
    WHERE NOT EXISTS (
        SELECT 1 FROM import_contacts i WHERE i.import_id = $1 AND i.contact_id = c.id)
    RETURNING c.id, c.phone, (c.xmax = 0) AS created
),
recorded AS (
    INSERT INTO import_contacts (import_id, contact_id, line)
    SELECT $1, m.id, s.line FROM merged m JOIN {STAGING} s ON s.phone = m.phone
),
listed AS (
    INSERT INTO list_contacts (list_id, contact_id)
    SELECT $2::text, m.id FROM merged m WHERE $2::text IS NOT NULL
    ON CONFLICT DO NOTHING
),
repeated AS (
    SELECT s.line, s.phone FROM {STAGING} s
    WHERE NOT EXISTS (SELECT 1 FROM merged m WHERE m.phone = s.phone)
)
SELECT
    (SELECT count(*) FROM merged) AS imported,
    (SELECT count(*) FROM merged WHERE created) AS created,
    (SELECT count(*) FROM repeated) AS duplicates,
    (SELECT coalesce(json_agg(d ORDER BY d.line), '[]') FROM (
        SELECT r.line, r.phone, i.line AS duplicate_of
        FROM (SELECT * FROM repeated ORDER BY line LIMIT $3) r
        JOIN contacts c ON c.phone = r.phone
        JOIN import_contacts i ON i.import_id = $1 AND i.contact_id = c.id) d
    ) AS duplicate_sample
"""


async def merge_chunk(
    *,
    driver: Any,
    import_id: str,
    id_prefix: str,
    list_id: str | None,
    copy_text: bytes,
    sample: int,
) -> Merged:
    """COPYs the chunk (staging_row's, as CSV) into the staging table and merges it, in the
    caller's transaction; new contacts' ids are `id_prefix` and their line."""
    await driver.copy_to_table(
        STAGING, source=memoryview(copy_text), columns=STAGING_COLUMNS, format="csv"
    )  # a memoryview: asyncpg would take bytes for a path
    row = await driver.fetchrow(_MERGE, import_id, list_id, sample, id_prefix)
    found = row["duplicate_sample"]  # the pool's connections decode json themselves
    duplicates = tuple(
        Duplicate(d["line"], d["phone"], d["duplicate_of"])
        for d in (json.loads(found) if isinstance(found, str) else found)
    )
    return Merged(row["imported"], row["created"], row["duplicates"], duplicates)


async def save_progress(*, driver: Any, import_id: str, progress: Progress) -> bool:
    """The counts after a chunk, in its transaction; False when the import is no longer running
    here (a sweep took it for interrupted): the job must stop."""
    done = await driver.fetchval(
        "UPDATE contact_imports SET rows_read = $2, bytes_read = $3, imported = $4, "
        "created = $5, invalid = $6, duplicates = $7, errors = $8::jsonb, consent_rows = $9, "
        "heartbeat_at = now() WHERE id = $1 AND status = 'running' RETURNING true",
        import_id, progress.rows_read, progress.bytes_read, progress.imported, progress.created,
        progress.invalid, progress.duplicates, json.dumps([e.__dict__ for e in progress.errors]),
        progress.consent_rows,
    )  # fmt: skip
    return bool(done)
