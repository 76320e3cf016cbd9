"""Hostile input of each kind the fuzzing found (tests-e2e/test_fuzz_apis.py) gets a documented
4xx, not a 500: through the app with a real PostgreSQL (no lifespan)."""

from typing import Any

import httpx
import pytest

from smsbus.reconciler.app import create_app
from smsbus.reconciler.settings import Settings
from smsbus.runtime.testing import Hostile, check_hostile

pytestmark = pytest.mark.integration

CASES = [
    Hostile("unknown run", "GET", "/runs/nope", 404),
    Hostile("NUL in a run id", "GET", "/runs/a%00", 422),
    Hostile("negative limit", "GET", "/runs?limit=-1", 422),
]


def client(database_url: str, schema: str) -> httpx.AsyncClient:
    fields: dict[str, Any] = {
        "SMSBUS_DATABASE_URL": database_url,
        "SMSBUS_OPENPHONE_API_KEY": "test-key",
        "db_schema": schema,
    }
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(Settings(**fields))),
        base_url="http://reconciler",
    )


async def test_hostile_input_gets_a_documented_4xx(database_url: str, schema: str) -> None:
    async with client(database_url, schema) as http:
        await check_hostile(http, CASES)
