"""The consent ledger names who called (DESIGN §3c), through the app with a real PostgreSQL (no
lifespan); the tokens table and the open-operation walk are in test_api_rules.py."""

import pytest

from smsbus.runtime.testing_api import CRM_TOKEN, AppFactory, asgi_client

pytestmark = pytest.mark.integration


async def test_the_ledger_names_the_token_whatever_the_body_claims(make_app: AppFactory) -> None:
    crm = make_app(SMSBUS_API_TOKENS=f"crm:{CRM_TOKEN}:consent+read")
    async with asgi_client(crm, headers={"Authorization": f"Bearer {CRM_TOKEN}"}) as http:
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
