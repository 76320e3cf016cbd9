"""Who may call what (DESIGN §3c): every operation but health and metrics needs a token, and
the `operations` scope for writes; through the app with a real PostgreSQL (no lifespan)."""

from typing import Any

import httpx
import pytest

from smsbus.reconciler.app import create_app
from smsbus.reconciler.settings import Settings
from smsbus.runtime.testing import check_every_operation_needs_a_token, check_tokens, tokens_for

pytestmark = pytest.mark.integration


def client(database_url: str, schema: str) -> httpx.AsyncClient:
    fields: dict[str, Any] = {
        "SMSBUS_DATABASE_URL": database_url,
        "SMSBUS_API_TOKENS": tokens_for("operations"),
        "db_schema": schema,
    }
    app = create_app(
        Settings(
            **(
                fields
                | {
                    "SMSBUS_OPENPHONE_API_KEY": "test-key",
                    "SMSBUS_OPENPHONE_BASE_URL": "http://127.0.0.1:9",
                }
            )
        )
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://reconciler")


async def test_tokens_and_scopes(database_url: str, schema: str) -> None:
    async with client(database_url, schema) as http:
        await check_tokens(
            http,
            read=("GET", "/runs", None),
            write=("POST", "/runs", None),
            write_status=200,
        )


async def test_no_operation_is_open(database_url: str, db_schema: str) -> None:
    async with client(database_url, db_schema) as http:
        schema = (await http.get("/openapi.json")).json()
        assert await check_every_operation_needs_a_token(http, schema, hidden=()) > 0
