"""A contacts import asked to (`check_lines`) has compliance check its numbers' line types once
they are in, on real PostgreSQL with compliance's app in-process: the outcome is kept with the
import, compliance keeps what it learnt, and a refusal leaves the import succeeded with the
reason in its outcome."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns.imports import ImportJob, ImportRunner
from smsbus.campaigns.line_check import LineCheck
from smsbus.campaigns.store import imports as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.testing import eventually
from smsbus.runtime.testing_api import AUTH, READ_TOKEN

from .test_import_consent import compliance_at

pytestmark = pytest.mark.integration

CSV = "first_name,phone\nAnn,+447911123456\nBob,+18005550199\nCy,+12125550101\nDi,nope\n"


async def test_an_import_has_compliance_check_its_numbers_and_keeps_the_outcome(
    engine: AsyncEngine, sessions: Sessions, database_url: str, tmp_path: Path
) -> None:
    async with compliance_at(database_url) as http:
        row = await _imported(engine, sessions, http, READ_TOKEN, tmp_path)
        toll_free = (await http.get("/v1/phones/+18005550199/validation", headers=AUTH)).json()

    assert (row.status, row.imported, row.invalid) == ("succeeded", 3, 1)
    lines = row.lines
    # The row that is no number never became a contact: three numbers checked.
    assert {k: lines[k] for k in ("checked", "invalid", "valid_mobile", "error")} == {
        "checked": 3, "invalid": 0, "valid_mobile": 1, "error": None,
    }  # fmt: skip
    assert lines["by_line_type"] == {"mobile": 1, "toll_free": 1, "unknown": 1}
    assert lines["lookups"]["enabled"] is False  # no provider key in tests: no paid lookups
    assert toll_free["line_type"] == "toll_free"


async def test_compliance_refusing_the_check_leaves_the_import_succeeded_with_the_reason(
    engine: AsyncEngine, sessions: Sessions, database_url: str, tmp_path: Path
) -> None:
    async with compliance_at(database_url) as http:
        row = await _imported(engine, sessions, http, "not-a-token", tmp_path)

    assert (row.status, row.imported) == ("succeeded", 3)
    assert row.lines["checked"] == 0
    assert row.lines["error"].startswith("compliance answered 401")


async def _imported(
    engine: AsyncEngine, sessions: Sessions, http: httpx.AsyncClient, token: str, tmp_path: Path
) -> Any:
    lines = LineCheck(base_url="http://compliance", token=token, http=http, retry_delay=0.01)
    runner = ImportRunner(engine=engine, sessions=sessions, region="US", lines=lines)
    task = asyncio.create_task(runner.run())
    path = tmp_path / "contacts.csv"
    path.write_text(CSV)
    try:
        async with sessions() as session, session.begin():
            await store.create_import(
                session=session, import_id="imp-lines", file_name=path.name, file_bytes=len(CSV),
                mapping=None, list_id=None, check_lines=True,
            )  # fmt: skip
        runner.submit(ImportJob("imp-lines", path, {}, None, check_lines=True))

        async def done() -> Any:
            async with sessions() as session:
                row = await store.get_import(session=session, import_id="imp-lines")
            return row if row is not None and row.status in ("succeeded", "failed") else None

        return await eventually(done, within=60)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
