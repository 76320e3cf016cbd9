"""DNC imports through the API against a real PostgreSQL: 202 at once, then the job's status
polled to its end; the jobs a stopped process left behind; the imports made before jobs."""

import asyncio
import io
import zipfile
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.compliance
from smsbus.compliance.app import create_app
from smsbus.compliance.dnc_jobs import INTERRUPTED, DncImports
from smsbus.compliance.settings import Settings
from smsbus.compliance.store import dnc_jobs
from smsbus.runtime.db import Sessions, make_engine
from smsbus.runtime.testing_api import AUTH, OPENPHONE_KEY, asgi_client
from smsbus.runtime.testing_migrations import migrate

from ..builders import NOW
from .conftest import ApiAt, finished_job

pytestmark = pytest.mark.integration


def upload(data: bytes, fmt: str, name: str = "list.txt", **form: str) -> dict[str, Any]:
    return {"files": {"file": (name, data, "text/plain")}, "data": {"format": fmt, **form}}


async def imported(api: httpx.AsyncClient, data: bytes, fmt: str, **form: str) -> dict[str, Any]:
    """POSTs the file, then polls the import it started until it ends."""
    answer = await api.post("/v1/dnc/imports", **upload(data, fmt, **form))
    return await finished_job(api, answer, "/v1/dnc/imports")


def figures(job: dict[str, Any]) -> dict[str, Any]:
    keys = ("status", "list_name", "version", "records", "added", "removed", "total")
    return {k: job[k] for k in keys}


def first_ftc_version(records: int) -> dict[str, Any]:
    """The `figures` of an import that made the FTC list's first version of `records` numbers."""
    return {
        "status": "succeeded",
        "list_name": "ftc",
        "version": 1,
        "records": records,
        "added": records,
        "removed": 0,
        "total": records,
    }


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def test_full_change_and_plain_lists_become_versions(api: httpx.AsyncClient) -> None:
    data = b"201,5550123\n201,5550124\n202,2345678\n"
    full = await imported(api, data, "ftc_full")
    assert figures(full) == first_ftc_version(3)
    assert {k: full[k] for k in ("area_codes", "invalid_lines", "error", "percent")} == {
        "area_codes": ["201", "202"],
        "invalid_lines": 0,
        "error": None,
        "percent": 100.0,
    }
    assert full["bytes_read"] == full["file_bytes"] == len(data)
    assert full["filename"] == "list.txt"
    assert datetime.fromisoformat(full["started_at"]) == NOW
    assert datetime.fromisoformat(full["finished_at"]) == NOW

    # A new full file for area code 201 only: 201's numbers are replaced, 202's stay.
    again = await imported(api, b"201,5550124\n201,5550125\n", "ftc_full")
    assert (again["version"], again["added"], again["removed"], again["total"]) == (2, 1, 1, 3)
    change = await imported(
        api, b"201,5550125,2026-01-05,D\n203,4567890,2026-01-05,A\n", "ftc_change"
    )
    assert (change["version"], change["added"], change["removed"], change["total"]) == (3, 1, 1, 3)
    plain = await imported(api, b"phone\n(415) 555-2671\n", "plain", list_name="state-tx")
    assert (plain["list_name"], plain["version"], plain["total"]) == ("state-tx", 1, 1)

    listed = (await api.get("/v1/dnc/2015550124")).json()
    assert [(x["list_name"], x["version"]) for x in listed["lists"]] == [("ftc", 1)]
    assert (await api.get("/v1/dnc/2015550123")).json()["listed"] is False
    assert (await api.get("/v1/dnc/(415) 555-2671")).json()["lists"][0]["list_name"] == "state-tx"
    every = (await api.get("/v1/dnc/imports")).json()
    assert [(x["list_name"], x["version"], x["status"]) for x in every] == [
        ("state-tx", 1, "succeeded"),
        ("ftc", 3, "succeeded"),
        ("ftc", 2, "succeeded"),
        ("ftc", 1, "succeeded"),
    ]


async def test_zip_archives_are_read_member_by_member(api: httpx.AsyncClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("201.txt", "201,5550123\n")
        archive.writestr("202.txt", "202,2345678\n")
    job = await imported(api, buffer.getvalue(), "ftc_full", name="dnc.zip")
    assert (job["status"], job["records"], job["total"]) == ("succeeded", 2, 2)


@pytest.mark.parametrize(
    ("data", "fmt", "needle"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "plain", "not UTF-8"),
        (b"201,5550123\nnot a number at all\n", "ftc_full", "line 2"),
        (b"", "plain", "no phone numbers"),
        (b"201,5550123\n", "ftc_change", "add/delete flag"),
        (b"PK\x03\x04broken", "plain", "zip"),
    ],
)
async def test_a_bad_file_ends_the_import_failed_and_changes_nothing(
    api: httpx.AsyncClient, engine: AsyncEngine, data: bytes, fmt: str, needle: str
) -> None:
    await imported(api, b"2015550100\n", "plain", list_name="keep")

    job = await imported(api, data, fmt)

    assert job["status"] == "failed"
    assert job["error"].startswith("bad DNC file: ")
    assert needle in job["error"]
    assert (job["version"], job["added"], job["total"]) == (None, None, None)
    assert job["finished_at"] is not None
    assert await count(engine, "dnc_lists") == 1
    assert await count(engine, "dnc_numbers") == 1
    every = (await api.get("/v1/dnc/imports")).json()
    assert [x["status"] for x in every] == ["failed", "succeeded"]


async def test_invalid_lines_within_the_allowance_are_counted_with_examples(
    api_at: ApiAt,
) -> None:
    async with api_at(dnc_max_invalid_lines=1) as api:
        job = await imported(api, b"2015550100\nnot a number\n2015550101\n", "plain")
    assert (job["status"], job["records"], job["invalid_lines"]) == ("succeeded", 2, 1)
    assert job["invalid_examples"] == [
        "line 2: not a phone number: (1) The string supplied did not seem to be a phone number."
    ]


async def test_fifty_thousand_numbers(api: httpx.AsyncClient, engine: AsyncEngine) -> None:
    lines = [f"{201 + i % 5},{2_000_000 + i}" for i in range(50_000)]
    data = ("\n".join(lines) + "\n").encode()

    job = await imported(api, data, "ftc_full")

    assert figures(job) == first_ftc_version(50_000)
    assert job["area_codes"] == ["201", "202", "203", "204", "205"]
    assert job["bytes_read"] == job["file_bytes"] == len(data)
    assert await count(engine, "dnc_numbers") == 50_000


async def test_bad_form_fields_are_refused_at_once(api: httpx.AsyncClient) -> None:
    assert (await api.post("/v1/dnc/imports", **upload(b"1\n", "xml"))).status_code == 422
    bad_name = upload(b"2015550100\n", "plain", list_name="Not A Name")
    assert (await api.post("/v1/dnc/imports", **bad_name)).status_code == 422
    assert (await api.get("/v1/dnc/imports/12345")).status_code == 404


async def job_in_progress(sessions: Sessions, *, runner: str) -> int:
    async with sessions() as session, session.begin():
        job_id = await dnc_jobs.create_job(
            session=session,
            list_name="ftc",
            fmt="ftc_full",
            filename="big.txt",
            file_bytes=100,
            runner=runner,
            created_at=NOW,
        )
        await dnc_jobs.start_job(session=session, job_id=job_id, at=NOW)
    return job_id


async def statuses(sessions: Sessions) -> dict[int, tuple[str, str | None]]:
    async with sessions() as session:
        rows = await dnc_jobs.jobs(session=session, limit=10)
    return {row["id"]: (row["status"], row["error"]) for row in rows}


async def test_a_starting_process_fails_the_imports_a_stopped_one_left_running(
    sessions: Sessions,
) -> None:
    abandoned = await job_in_progress(sessions, runner="a-stopped-process")
    alive = await job_in_progress(sessions, runner="a-live-replica")
    imports = DncImports(
        sessions=sessions, clock=lambda: NOW, default_region="US", max_invalid_lines=0
    )
    own = await job_in_progress(sessions, runner=imports.runner)

    async with sessions() as replica, replica.begin():
        await dnc_jobs.lock_job(session=replica, job_id=alive)  # its import's transaction
        watching = asyncio.create_task(imports.run())
        for _ in range(500):
            if (await statuses(sessions))[abandoned][0] == "failed":
                break
            await asyncio.sleep(0.01)
        assert await statuses(sessions) == {
            abandoned: ("failed", INTERRUPTED),
            alive: ("running", None),
            own: ("running", None),
        }

        # Stopping, the process fails what it was running itself.
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
    assert (await statuses(sessions))[own] == ("failed", INTERRUPTED)
    assert (await statuses(sessions))[alive] == ("running", None)


async def test_imports_made_before_jobs_existed_are_listed_as_succeeded(
    database_url: str, db_schema: str
) -> None:
    await migrate(database_url, schema=db_schema, package=smsbus.compliance, revision="0002")
    engine = make_engine(database_url, schema=db_schema)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO dnc_lists (name, version, format, filename, imported_at, "
                    "records, added, removed, total, area_codes) VALUES ('ftc', 1, 'ftc_full', "
                    """'201.txt', :at, 3, 3, 0, 3, '["201"]')"""
                ),
                {"at": NOW},
            )
    finally:
        await engine.dispose()
    await migrate(database_url, schema=db_schema, package=smsbus.compliance)

    # Not `api_at`: its schema would be migrated to head before this test wrote the old rows.
    settings = Settings(
        SMSBUS_DATABASE_URL=database_url,
        SMSBUS_OPENPHONE_API_KEY=OPENPHONE_KEY,
        db_schema=db_schema,
    )
    async with asgi_client(create_app(settings, clock=lambda: NOW), headers=AUTH) as api:
        (earlier,) = (await api.get("/v1/dnc/imports")).json()
    assert figures(earlier) == first_ftc_version(3)
    assert (earlier["area_codes"], earlier["percent"]) == (["201"], 100.0)
    assert datetime.fromisoformat(earlier["finished_at"]) == NOW
