"""Bearer tokens with scopes: the setting's parsing and the 401/403/2xx table through an app."""

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from smsbus.runtime.auth import ApiTokens, CallerDep, TokenError, protect

ALL = "a" * 32
CRM = "c" * 40
OLD_CRM = "o" * 40
SETTING = f"ops:{ALL}:all,crm:{CRM}:consent+read,crm:{OLD_CRM}:consent"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        pytest.param(None, "SMSBUS_API_TOKENS is not set", id="missing"),
        pytest.param("  ", "SMSBUS_API_TOKENS is not set", id="empty"),
        pytest.param("ops:short:all", "shorter than 32", id="short token"),
        pytest.param(f"ops:{ALL}", "is not `name:token:scopes`", id="not three parts"),
        pytest.param(f"ops:{ALL}:admin", "scopes must be from", id="unknown scope"),
        pytest.param(f"ops:{ALL}:", "scopes must be from", id="no scope"),
    ],
)
def test_a_bad_setting_is_refused_naming_it(setting: str | None, message: str) -> None:
    with pytest.raises(TokenError, match="SMSBUS_API_TOKENS") as refused:
        ApiTokens.parse(setting)
    assert message in str(refused.value)
    assert ALL not in str(refused.value)  # the error never repeats a token


def test_one_name_may_hold_two_tokens_during_a_rotation() -> None:
    tokens = ApiTokens.parse(SETTING)
    new, old = tokens.caller(CRM), tokens.caller(OLD_CRM)
    assert new is not None
    assert old is not None
    assert new.name == old.name == "crm"
    assert tokens.caller("x" * 40) is None


def app() -> FastAPI:
    router = APIRouter()

    @router.get("/things")
    async def things(caller: CallerDep) -> dict[str, str]:
        return {"caller": caller.name}

    @router.post("/things")
    async def add(caller: CallerDep) -> dict[str, str]:
        """Add a thing."""
        return {"caller": caller.name}

    @router.post("/things/query")
    async def query() -> dict[str, str]:
        return {}

    app = FastAPI()
    tokens = ApiTokens.parse(SETTING + f",reader:{'r' * 32}:read")
    protect(app, router, tokens, writes="consent", reads=frozenset({"/things/query"}))
    return app


@pytest.mark.parametrize(
    ("method", "path", "token", "status"),
    [
        pytest.param("POST", "/things", None, 401, id="no token"),
        pytest.param("POST", "/things", "w" * 40, 401, id="wrong token"),
        pytest.param("POST", "/things", "r" * 32, 403, id="read token on a write"),
        pytest.param("GET", "/things", OLD_CRM, 403, id="old token lacks read"),
        pytest.param("POST", "/things", CRM, 200, id="right scope on a write"),
        pytest.param("GET", "/things", "r" * 32, 200, id="read token on a read"),
        pytest.param(
            "POST", "/things/query", "r" * 32, 200, id="read token on a query sent as POST"
        ),
        pytest.param("POST", "/things", ALL, 200, id="all on a write"),
    ],
)
async def test_tokens_and_scopes(method: str, path: str, token: str | None, status: int) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.request(method, path, headers=headers)
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_openapi_shows_the_bearer_scheme_and_each_scope() -> None:
    schema = app().openapi()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    add = schema["paths"]["/things"]["post"]
    assert add["security"] == [{"HTTPBearer": []}]
    assert "Add a thing." in add["description"]
    assert "`consent` scope" in add["description"]
    assert "`read` scope" in schema["paths"]["/things"]["get"]["description"]
    assert schema["paths"]["/things/query"]["post"]["x-required-scope"] == "read"
