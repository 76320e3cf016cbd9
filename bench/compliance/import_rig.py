"""What the two import benches share: compliance's app in this process over a schema of its own,
and an import POSTed to it and polled until it has finished.

The benches run as scripts, so this folder is on sys.path: `from import_rig import ...`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

import smsbus.compliance
from smsbus.compliance.app import create_app
from smsbus.compliance.settings import Settings
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.settings import DEFAULT_DATABASE_URL

sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token
from bench_auth import HEADERS, TOKENS

MIGRATIONS = Path(smsbus.compliance.__file__).parent / "migrations"


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class Compliance:
    api: httpx.AsyncClient
    """The app over ASGI: the figures are the import's, not a network's."""
    database_url: str
    schema: str


@asynccontextmanager
async def compliance_app(**settings: Any) -> AsyncIterator[Compliance]:
    """Compliance on a freshly migrated schema (dropped afterwards), `settings` on top."""
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = make_engine(database_url, schema=schema)
    try:
        await upgrade(database_url, schema=schema, script_location=MIGRATIONS)
        app = create_app(
            Settings(
                SMSBUS_DATABASE_URL=database_url, SMSBUS_OPENPHONE_API_KEY="bench",
                SMSBUS_API_TOKENS=TOKENS, db_schema=schema, **settings,
            ),
            clock=lambda: datetime.now(UTC),
        )  # fmt: skip
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", headers=HEADERS,
            timeout=600,
        ) as api:  # fmt: skip
            yield Compliance(api, database_url, schema)
    finally:
        await drop_schema(engine, schema)
        await engine.dispose()


@dataclass
class Imported:
    seconds: float
    """From the POST to `succeeded` seen by a poll."""
    job: dict[str, Any]
    percents: list[float]
    """The progress polls saw while it ran, each once."""

    def progress(self) -> str:
        """The progress figures polled while the import ran."""
        return " ".join(f"{p:g}%" for p in self.percents) or "none (done before the first poll)"


async def imported(
    api: httpx.AsyncClient, path: str, *, poll: float, label: str = "the import", **request: Any
) -> Imported:
    """POSTs an import to `path` (`request`: httpx's files, data) and polls the job it started
    (202, `Location`) until it has succeeded; a failed import ends the bench."""
    started = time.perf_counter()
    answer = await api.post(path, **request)
    answer.raise_for_status()
    percents: list[float] = []
    while True:
        job: dict[str, Any] = (await api.get(answer.headers["location"])).json()
        if job["status"] == "running" and job["percent"] not in percents:
            percents.append(job["percent"])
        if job["status"] in ("succeeded", "failed"):
            break
        await asyncio.sleep(poll)
    if job["status"] == "failed":
        raise SystemExit(f"{label} failed: {job['error']}")
    return Imported(time.perf_counter() - started, job, percents)
