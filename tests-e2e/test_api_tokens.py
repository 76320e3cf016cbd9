"""Who may call what, on real processes (DESIGN §3c, issue 13): a service started without
SMSBUS_API_TOKENS (or with a short token) refuses to start, naming the setting; a running
service answers no token or a wrong one with 401, a read token on a write with 403 and the
right scope with 2xx, through a real HTTP client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import smsbus.health
from smsbus.runtime.testing import RegistryTopics, eventually, unique_name
from smsbus.runtime.testing_api import check_tokens, tokens_for
from smsbus.runtime.testing_migrations import migrate

pytestmark = pytest.mark.e2e

SERVICES = ["compliance", "campaigns", "reconciler", "health"]


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBUS_")}
    return env | {"SMSBUS_OPENPHONE_API_KEY": "test-key", "SMSBUS_LOG_LEVEL": "WARNING"} | extra


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    ("tokens", "message"),
    [(None, "SMSBUS_API_TOKENS is not set"), ("ops:short:all", "shorter than 32 characters")],
)
def test_a_service_without_good_tokens_refuses_to_start(
    service: str, tokens: str | None, message: str, tmp_path: Path
) -> None:
    env = _environment(**({"SMSBUS_API_TOKENS": tokens} if tokens else {}))
    done = subprocess.run(
        [sys.executable, "-m", f"smsbus.{service}"],
        env=env,
        cwd=tmp_path,  # no .env here
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert "SMSBUS_API_TOKENS" in done.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_tokens_and_scopes_on_a_running_service(
    kafka_bootstrap: str,
    database_url: str,
    db_schema: str,
    registry_topics: RegistryTopics,
    tmp_path: Path,
) -> None:
    """health-monitor as a real process on a fresh schema and its own topics (a check it starts
    must not reach the local stack's egress)."""
    await migrate(database_url, schema=db_schema, package=smsbus.health)
    port = _free_port()
    env = _environment(
        SMSBUS_API_TOKENS=tokens_for("operations"),
        SMSBUS_KAFKA_BOOTSTRAP=kafka_bootstrap,
        SMSBUS_DATABASE_URL=database_url,
        SMSBUS_HEALTH_DB_SCHEMA=db_schema,
        SMSBUS_HEALTH_PORT=str(port),
        SMSBUS_HEALTH_ENABLED="false",
        SMSBUS_HEALTH_GROUP_ID=unique_name("health"),
        SMSBUS_HEALTH_TOPIC_OVERRIDES=json.dumps(await registry_topics()),
    )
    with (tmp_path / "health.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: ASYNC220 (it returns at once)
            [sys.executable, "-m", "smsbus.health"], env=env, cwd=tmp_path, stdout=log, stderr=log
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:

            async def up() -> bool:
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(up, within=60)
            await check_tokens(
                http,
                read=("GET", "/checks", None),
                write=("POST", "/checks", None),
                write_status=202,
            )
    finally:
        process.terminate()
        process.wait(timeout=30)
