"""The import job on real PostgreSQL, chunks of 1,000 rows: counts, the first errors in file
order, duplicates across chunks, what an import does to contacts that exist, values COPY must
escape, a file that stops being UTF-8, and imports a stopped process left behind."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns.imports import ImportJob, ImportRunner
from smsbus.campaigns.store import contacts as contact_store
from smsbus.campaigns.store import imports as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.testing import eventually

pytestmark = pytest.mark.integration

AREAS = ("212", "312", "617", "404")


def phone(i: int) -> str:
    return f"+1{AREAS[i % 4]}{200 + i // 40_000}{i // 4 % 10_000:04d}"


@pytest.fixture
async def runner(engine: AsyncEngine, sessions: Sessions) -> AsyncIterator[ImportRunner]:
    running = ImportRunner(
        engine=engine, sessions=sessions, region="US", rows_per_chunk=1000,
        heartbeat_seconds=0.2, stale_seconds=1.0,
    )  # fmt: skip
    task = asyncio.create_task(running.run())
    yield running
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def submit(
    runner: ImportRunner, sessions: Sessions, path: Path, list_id: str | None = None
) -> str:
    import_id = f"imp-{path.stem}"
    async with sessions() as session, session.begin():
        await store.create_import(
            session=session, import_id=import_id, file_name=path.name,
            file_bytes=(await asyncio.to_thread(path.stat)).st_size, mapping=None, list_id=list_id,
        )  # fmt: skip
    runner.submit(ImportJob(import_id, path, {}, list_id))
    return import_id


async def finished(sessions: Sessions, import_id: str) -> Any:
    async def done() -> Any:
        async with sessions() as session:
            row = await store.get_import(session=session, import_id=import_id)
        return row if row is not None and row.status in ("succeeded", "failed") else None

    return await eventually(done, within=60)


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).all())


def value(n: int) -> str:
    """Row n's phone: every 10th invalid; every 7th repeats row n - 600's (from n = 600, often
    in an earlier chunk) or row n - 3's."""
    if n % 10 == 0:
        return "not a phone"
    if n % 7 == 0 and n >= 3:
        return value(n - 600 if n >= 600 else n - 3)
    return phone(n)


def expected_errors(count: int) -> tuple[list[tuple[int, str]], int, int, int]:
    """(line, reason) of every rejected row, invalid and duplicates, distinct phones."""
    errors: list[tuple[int, str]] = []
    first_line: dict[str, int] = {}
    invalid = 0
    for n in range(count):
        line, number = n + 2, value(n)
        if number == "not a phone":
            errors.append((line, "not a phone number"))
            invalid += 1
        elif number in first_line:
            errors.append((line, f"duplicate of line {first_line[number]}"))
        else:
            first_line[number] = line
    return errors, invalid, len(errors) - invalid, len(first_line)


async def test_a_multi_chunk_import_counts_every_row_and_lists_the_first_errors_in_order(
    runner: ImportRunner, sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "multi.csv"
    content = "first_name,phone,plan\n" + "".join(
        f"P{n},{value(n)},{'gold' if n % 2 else ''}\n" for n in range(3500)
    )
    path.write_text(content)
    errors, invalid, duplicates, distinct = expected_errors(3500)
    async with sessions() as session, session.begin():
        listed = await contact_store.create_list(
            session=session, list_id="L1", name="imported", kind="static", spec=None
        )
    import_id = await submit(runner, sessions, path, list_id=listed.id)
    row = await finished(sessions, import_id)

    assert row.status == "succeeded", row.reason
    assert (row.rows_read, row.invalid, row.duplicates) == (3500, invalid, duplicates)
    assert duplicates > 300  # many across chunks
    assert row.imported == row.created == distinct
    assert row.bytes_read == row.file_bytes == len(content)
    assert [(e["line"], e["reason"].split(":")[0]) for e in row.errors] == errors[:100]
    recorded = await rows(
        engine,
        "SELECT count(*), count(DISTINCT contact_id) FROM import_contacts WHERE import_id = :i",
        i=import_id,
    )
    assert recorded == [(distinct, distinct)]
    assert await rows(engine, "SELECT count(*) FROM list_contacts WHERE list_id = 'L1'") == [
        (distinct,)
    ]
    # each contact has the first row's values, and the import recorded that row's line
    firsts = await rows(
        engine,
        "SELECT c.first_name, c.fields, i.line FROM import_contacts i JOIN contacts c ON c.id = i.contact_id "
        "WHERE i.import_id = :i",
        i=import_id,
    )
    assert all(name == f"P{line - 2}" for name, _, line in firsts)
    assert all(fields == ({"plan": "gold"} if (line - 2) % 2 else {}) for _, fields, line in firsts)


async def test_a_duplicate_across_chunks_names_the_first_line_and_leaves_the_first_values(
    runner: ImportRunner, sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    filler = [f"F{n},{phone(n + 10)}" for n in range(998)]
    lines = [
        "first_name,phone",
        "First,212-555-0123",
        *filler,
        "Second,(212) 555-0123",
        "Third,+12125550123",
    ]
    path = tmp_path / "across.csv"
    path.write_text("\n".join(lines) + "\n")
    row = await finished(sessions, await submit(runner, sessions, path))
    assert row.status == "succeeded", row.reason
    assert (row.rows_read, row.duplicates, row.imported) == (1001, 2, 999)
    assert row.errors == [
        {"line": 1001, "reason": "duplicate of line 2", "value": "+12125550123"},
        {"line": 1002, "reason": "duplicate of line 2", "value": "+12125550123"},
    ]
    assert await rows(engine, "SELECT first_name FROM contacts WHERE phone = '+12125550123'") == [
        ("First",)
    ]


async def test_existing_contacts_are_merged_and_new_ones_created_with_values_copy_must_escape(
    runner: ImportRunner, sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO contacts (id, phone, first_name, company, fields, office_number, "
            "do_not_contact, deleted) VALUES ('old', '+13125550144', 'Old', 'Keep Co', "
            "'{\"tier\": \"1\", \"plan\": \"basic\"}', false, true, true)"
        ))  # fmt: skip
    weird = 'Tab\there, "quoted", back\\slash, é ✓'
    path = tmp_path / "merge.csv"
    path.write_text(
        "first_name,phone,company,state,plan,note\n"
        f"Ann,312-555-0144,,fl,gold,\n"
        f'"{weird.replace(chr(34), chr(34) * 2)}",2125550123,,,,"two\nlines"\n'
    )
    row = await finished(sessions, await submit(runner, sessions, path))
    assert row.status == "succeeded", row.reason
    assert (row.rows_read, row.imported, row.created) == (2, 2, 1)
    merged = (
        await rows(
            engine,
            "SELECT first_name, company, state, fields, do_not_contact, deleted, updated_at IS NOT NULL FROM contacts WHERE id = 'old'",
        )
    )[0]
    assert tuple(merged) == (
        "Ann",
        "Keep Co",
        "FL",
        {"tier": "1", "plan": "gold"},
        True,
        False,
        True,
    )
    new = (
        await rows(
            engine, "SELECT id, first_name, fields FROM contacts WHERE phone = '+12125550123'"
        )
    )[0]
    assert (new.first_name, new.fields) == (weird, {"note": "two\nlines"})
    assert uuid.UUID(new.id).version == 7
    assert new.id.endswith("00000004")  # its record ends on line 4


async def test_a_file_that_stops_being_utf8_fails_keeping_the_chunks_before(
    runner: ImportRunner, sessions: Sessions, engine: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    good = "".join(f"{phone(n)}\n" for n in range(1500)).encode()
    path.write_bytes(b"phone\n" + good + b"\xff\n")
    import_id = await submit(runner, sessions, path)
    row = await finished(sessions, import_id)
    assert (row.status, row.reason) == ("failed", "line 1502 is not UTF-8 text")
    assert (row.rows_read, row.imported) == (1000, 1000)
    assert await rows(
        engine, "SELECT count(*) FROM import_contacts WHERE import_id = :i", i=import_id
    ) == [(1000,)]
    assert not path.exists()  # the job's spooled file is gone either way


@pytest.mark.usefixtures("runner")
async def test_imports_a_stopped_process_held_are_failed(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        for import_id, status in (("gone-running", "running"), ("gone-queued", "queued")):
            await conn.execute(text(
                "INSERT INTO contact_imports (id, status, file_bytes, bytes_read, rows_read, "
                "imported, created, invalid, duplicates, errors, heartbeat_at) VALUES "
                "(:i, :s, 10, 5, 1, 1, 1, 0, 0, '[]', now() - interval '1 hour')"
            ), {"i": import_id, "s": status})  # fmt: skip
    left = await eventually(
        lambda: rows(
            engine,
            "SELECT id, status, reason FROM contact_imports WHERE status = 'failed' ORDER BY id",
        ),
        within=10,
    )
    assert [tuple(r) for r in left] == [
        ("gone-queued", "failed", "interrupted: the engine process holding it stopped"),
        ("gone-running", "failed", "interrupted: the engine process holding it stopped"),
    ]
