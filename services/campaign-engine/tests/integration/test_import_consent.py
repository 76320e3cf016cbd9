"""A contacts import's consent columns handed to compliance (the only writer of consent), on
real PostgreSQL: the engine's import job with compliance's app in-process (its consent import
job, its ledger in its own schema). The contacts are imported as ever; the consent rows become
compliance's consent import, followed to its end; a refusal by compliance fails the import
with its reason."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.compliance
from smsbus.campaigns.consent_handoff import ConsentHandoff
from smsbus.campaigns.imports import ImportJob, ImportRunner
from smsbus.campaigns.store import imports as store
from smsbus.compliance.app import create_app as create_compliance
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.runtime.db import Sessions, drop_schema
from smsbus.runtime.testing import eventually, unique_name
from smsbus.runtime.testing_api import AUTH, READ_TOKEN, TEST_TOKEN
from smsbus.runtime.testing_migrations import migrate

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
AGREED = "Yes to Acme's offers by text"
CSV = "\n".join([
    "first_name,phone,consent,consent_source,consent_at,consent_text",
    f"Ann,+12125550101,express,web form,2026-01-10,{AGREED}",  # line 2
    "Bob,+12125550102,implied,purchase,2026-01-11,",  # 3
    "Cy,+12125550103,revoked,phone call,2026-01-12,",  # 4
    "Di,+12125550104,none,,,",  # 5: none: nothing recorded
    "Ed,+12125550105,,,,",  # 6: no consent at all: not handed over
    "Fay,+12125550106,express,web form,,no time",  # 7: refused by compliance
    "Gus,not a phone,express,web form,2026-01-10,x",  # 8: no contact, no consent
    f"Ann again,+12125550101,revoked,web form,2026-01-10,{AGREED}",  # 9: repeat: not handed
]) + "\n"  # fmt: skip


@asynccontextmanager
async def compliance_at(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """compliance's app in this process on a fresh schema (no lifespan: its import jobs start
    from the request)."""
    schema = unique_name("compliance")
    await migrate(database_url, schema=schema, package=smsbus.compliance)
    settings = ComplianceSettings(**{
        "SMSBUS_DATABASE_URL": database_url, "SMSBUS_OPENPHONE_API_KEY": "test-key",
        "db_schema": schema,
    })  # fmt: skip
    app = create_compliance(settings, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://compliance") as http:
        try:
            yield http
        finally:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://compliance", headers=AUTH
            ) as api:
                await eventually(lambda: _idle(api))
            engine = app.state.compliance.engine
            await drop_schema(engine, schema)
            await engine.dispose()


async def _idle(api: httpx.AsyncClient) -> bool:
    imports = (await api.get("/v1/consent/imports")).json()
    return all(job["status"] in ("succeeded", "failed") for job in imports)


@asynccontextmanager
async def running(
    engine: AsyncEngine, sessions: Sessions, http: httpx.AsyncClient, token: str
) -> AsyncIterator[ImportRunner]:
    handoff = ConsentHandoff(
        base_url="http://compliance", token=token, poll_interval=0.05, patience=5, http=http
    )
    runner = ImportRunner(engine=engine, sessions=sessions, region="US", consent=handoff)
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def imported(runner: ImportRunner, sessions: Sessions, tmp_path: Path) -> Any:
    path = tmp_path / "contacts.csv"
    path.write_text(CSV)
    async with sessions() as session, session.begin():
        await store.create_import(
            session=session, import_id="imp-1", file_name=path.name, file_bytes=len(CSV),
            mapping=None, list_id=None,
        )  # fmt: skip
    runner.submit(ImportJob("imp-1", path, {}, None))

    async def done() -> Any:
        async with sessions() as session:
            row = await store.get_import(session=session, import_id="imp-1")
        return row if row is not None and row.status in ("succeeded", "failed") else None

    row = await eventually(done, within=60)
    left = await asyncio.to_thread(lambda: list(tmp_path.iterdir()))
    assert not left, "the spooled file and its consent rows are deleted"
    return row


async def scalars(engine: AsyncEngine, sql: str) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql))).scalars())


async def test_the_consent_columns_become_compliances_consent_import(
    engine: AsyncEngine, sessions: Sessions, database_url: str, tmp_path: Path
) -> None:
    async with (
        compliance_at(database_url) as http,
        running(engine, sessions, http, TEST_TOKEN) as runner,
    ):
        row = await imported(runner, sessions, tmp_path)

        assert (row.status, row.imported, row.invalid, row.duplicates) == ("succeeded", 6, 1, 1)
        assert row.consent_rows == 5
        consent = row.consent
        assert consent is not None
        assert row.consent_import_id == consent["id"]
        figures = ("status", "granted", "revoked", "no_consent", "kept_opted_out", "refused")
        assert {k: consent[k] for k in figures} == {
            "status": "succeeded", "granted": 2, "revoked": 1, "no_consent": 1,
            "kept_opted_out": 0, "refused": 1,
        }  # fmt: skip
        assert consent["refused_by_reason"] == {"missing_consent_at": 1}

        api = {"headers": AUTH}
        ann = (await http.get("/v1/consent/+12125550101", **api)).json()
        [entry] = ann["history"]
        assert (entry["source"], entry["actor"], entry["consent_type"]) == (
            "import", "tests", "express",
        )  # fmt: skip
        details = entry["evidence"]["details"]
        assert (details["ref"], details["consent_text"]) == ("2", AGREED)
        assert details["filename"] == "contacts-import-imp-1.csv"
        refused = (await http.get(f"/v1/consent/imports/{row.consent_import_id}", **api)).json()
        assert [(r["ref"], r["reason"]) for r in refused["refused_rows"]] == [
            ("7", "missing_consent_at")
        ]
        assert (await http.get("/v1/consent/+12125550105", **api)).json()["history"] == []
        # Consent stays compliance's: no contact keeps it as a field of its own.
        fields = await scalars(engine, "SELECT fields::text FROM contacts")
        assert len(fields) == 6
        assert not any("consent" in f for f in fields)


async def test_compliance_refusing_the_rows_fails_the_import_and_keeps_the_contacts(
    engine: AsyncEngine, sessions: Sessions, database_url: str, tmp_path: Path
) -> None:
    async with (
        compliance_at(database_url) as http,
        running(engine, sessions, http, READ_TOKEN) as runner,  # no `consent` scope
    ):
        row = await imported(runner, sessions, tmp_path)

    assert row.status == "failed"
    assert row.reason.startswith("compliance refused the consent rows: 403")
    assert (row.imported, row.consent_rows, row.consent) == (6, 5, None)
    assert len(await scalars(engine, "SELECT id FROM contacts")) == 6
