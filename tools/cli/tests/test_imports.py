"""`smsbus import contacts|dnc FILE` against the services' real import APIs (PostgreSQL, and for
campaign-engine its job runner under uvicorn): the file is uploaded with the CLI's token, the
import followed to its end with progress on stderr, its final state printed as JSON."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx
import pytest

import smsbus.campaigns
import smsbus.compliance
from smsbus.campaigns.app import create_app as create_campaigns
from smsbus.campaigns.settings import Settings as CampaignSettings
from smsbus.cli.imports import DNC, import_file
from smsbus.compliance.app import create_app as create_compliance
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.openphone_sim.testing import serving
from smsbus.runtime.testing import NewTopic, unique_name
from smsbus.runtime.testing_api import AUTH, TEST_TOKEN
from smsbus.runtime.testing_migrations import migrate

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]


async def run_cli(command: list[str], env: dict[str, str]) -> tuple[int | None, bytes, str]:
    """`command` run from the repository with `env`: its exit code, stdout and stderr."""
    process = await asyncio.create_subprocess_exec(
        *command, cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode, out, err.decode()


def numbers(count: int) -> list[str]:
    return [f"+1{212 + n % 3}555{n // 3 % 10_000:04d}" for n in range(count)]


async def test_a_dnc_list_is_imported_and_followed_to_its_end(
    database_url: str, db_schema: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await migrate(database_url, schema=db_schema, package=smsbus.compliance)
    settings = ComplianceSettings(
        SMSBUS_DATABASE_URL=database_url, SMSBUS_OPENPHONE_API_KEY="test-key", db_schema=db_schema
    )
    listed = tmp_path / "dnc.txt"
    listed.write_text("\n".join(numbers(3000)) + "\n")
    transport = httpx.ASGITransport(app=create_compliance(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://c", headers=AUTH) as api:
        job = await import_file(api, DNC, listed, {"format": "plain", "list_name": "cli-test"})

    assert (job["status"], job["records"], job["added"], job["version"]) == (
        "succeeded",
        3000,
        3000,
        1,
    )
    size = listed.stat().st_size
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"import {job['id']}: {size}/{size} (100 %) read, 3000 records,")


async def test_the_contacts_import_command_uploads_with_the_token_and_follows_the_job(
    database_url: str, db_schema: str, kafka_bootstrap: str, new_topic: NewTopic, tmp_path: Path
) -> None:
    await migrate(database_url, schema=db_schema, package=smsbus.campaigns)
    topics = {f"{name}_topic": await new_topic(name) for name in
              ("messages", "contacts", "consent", "events", "requests", "results")}  # fmt: skip
    settings = CampaignSettings(
        SMSBUS_DATABASE_URL=database_url, SMSBUS_KAFKA_BOOTSTRAP=kafka_bootstrap,
        db_schema=db_schema, group_id=unique_name("campaigns"), **topics,
    )  # fmt: skip
    rows = ["Name,Mobile", *(f"P{n},{phone}" for n, phone in enumerate(numbers(2000))), "Bad,12"]
    csv = tmp_path / "contacts.csv"
    csv.write_text("\n".join(rows) + "\n")
    async with serving(create_campaigns(settings), name="campaign-engine") as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBUS_")} | {
            "SMSBUS_CAMPAIGNS_PORT": url.rsplit(":", 1)[1],
            "SMSBUS_API_TOKEN": TEST_TOKEN,
            "SMSBUS_STATE_DIR": str(tmp_path),  # no stack token there: the variable is the one
        }
        command = [sys.executable, "-m", "smsbus.cli", "import", "contacts", str(csv),
                   "--mapping", json.dumps({"Name": "first_name", "Mobile": "phone"}),
                   "--list-name", "from the cli"]  # fmt: skip
        returncode, out, err = await run_cli(command, env)
        assert returncode == 0, err
        job = json.loads(out)
        assert (job["status"], job["rows_read"], job["imported"], job["invalid"]) == (
            "succeeded",
            2001,
            2000,
            1,
        )
        assert "2000 imported" in err.splitlines()[-1]

        async with httpx.AsyncClient(base_url=url, headers=AUTH) as api:
            lists = (await api.get("/v1/lists")).json()
        assert [(row["name"], row["size"]) for row in lists] == [("from the cli", 2000)]

        env["SMSBUS_API_TOKEN"] = "w" * 40  # a token the service does not know
        returncode, _, err = await run_cli(command, env)
        assert returncode == 2
        assert "answered 401" in err
