"""Who may call what (DESIGN §3c): every operation but health and metrics needs a token, and
the `consent` scope for writes; through the app with a real PostgreSQL (no lifespan)."""

from typing import Any

import httpx
import pytest

from smsbus.compliance.app import create_app
from smsbus.compliance.settings import Settings
from smsbus.runtime.testing import (
    CRM_TOKEN,
    check_every_operation_needs_a_token,
    check_tokens,
    tokens_for,
)

pytestmark = pytest.mark.integration


def client(database_url: str, schema: str) -> httpx.AsyncClient:
    fields: dict[str, Any] = {
        "SMSBUS_DATABASE_URL": database_url,
        "SMSBUS_API_TOKENS": tokens_for("consent"),
        "db_schema": schema,
    }
    app = create_app(Settings(**(fields | {"SMSBUS_OPENPHONE_API_KEY": "test-key"})))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://compliance")


async def test_tokens_and_scopes(database_url: str, schema: str) -> None:
    async with client(database_url, schema) as http:
        await check_tokens(
            http,
            read=("GET", "/v1/consent/+14155552671", None),
            write=("PUT", "/v1/dnc/internal/+14155552671", {"reason": "asked by phone"}),
            write_status=200,
        )


async def test_no_operation_is_open(database_url: str, db_schema: str) -> None:
    async with client(database_url, db_schema) as http:
        schema = (await http.get("/openapi.json")).json()
        assert await check_every_operation_needs_a_token(http, schema, hidden=()) > 0


async def test_the_ledger_names_the_token_whatever_the_body_claims(
    database_url: str, schema: str
) -> None:
    crm = f"crm:{CRM_TOKEN}:consent+read"
    app = create_app(
        Settings(
            SMSBUS_DATABASE_URL=database_url,
            SMSBUS_API_TOKENS=crm,
            SMSBUS_OPENPHONE_API_KEY="test-key",
            db_schema=schema,
        )
    )
    headers = {"Authorization": f"Bearer {CRM_TOKEN}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://c", headers=headers) as http:
        body = {
            "phone": "+14155552671",
            "source": "web",
            "actor": "admin",
            "details": {"form": "f1"},
        }
        assert (await http.post("/v1/consent", json=body)).status_code == 201
        export = (await http.get("/v1/consent/+14155552671/export")).json()
    (entry,) = export["history"]
    assert entry["actor"] == "crm"
    assert entry["evidence"]["details"] == {"form": "f1", "claimed_actor": "admin"}
