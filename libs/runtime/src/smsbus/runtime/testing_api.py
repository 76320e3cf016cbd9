"""The rules every service API is tested against, through one harness (re-exported by the test
plugin, runtime/testing.py):

- Fixed tokens: TEST_TOKEN (scope all, `AUTH` headers), READ_TOKEN, CRM_TOKEN, SCOPED_TOKEN
  (`tokens_for(scope)`), and OPENPHONE_KEY; the plugin sets SMSBUS_API_TOKENS to TEST_TOKENS.
- `make_app` (fixture): `make_app(**settings_fields)` builds the member's app on the test's
  migrated schema; a conftest names its app with `make_app = app_fixture(create_app, Settings)`.
- `check_api_auth`: the tokens table and no operation open without a token.
- `check_hostile`: each `Hostile` request gets a documented 4xx (FastAPI's 422 shape), not a 5xx.
- `api_rule_tests(ApiRules(...))`: both as a service's two tests, its API's rules as data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.routing import compile_path

# Fixed API tokens (runtime/auth.py) for every test: the plugin sets SMSBUS_API_TOKENS, which
# apps built in-process and services spawned by tests (they inherit the environment) read.
TEST_TOKEN = "tests-all-0123456789abcdefghijklmnopqrstuv"
READ_TOKEN = "tests-read-0123456789abcdefghijklmnopqrstu"
CRM_TOKEN = "tests-crm-0123456789abcdefghijklmnopqrstuv"
SCOPED_TOKEN = "tests-scoped-0123456789abcdefghijklmnopqr"
TEST_TOKENS = f"tests:{TEST_TOKEN}:all,reader:{READ_TOKEN}:read,crm:{CRM_TOKEN}:consent+read"
AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}
"""Headers for a test's HTTP client toward a service API."""
OPENPHONE_KEY = "tests-openphone-key-0123456789abcdef"
"""The OpenPhone API key tests give the services (the simulator accepts any)."""

OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

AppFactory = Callable[..., Any]
"""`make_app([create_app options,] **settings_fields)` → the member's app on the test's schema."""


@pytest.fixture
def make_app() -> AppFactory:
    """The app of the member under test: its conftest says which (`app_fixture()`)."""
    pytest.fail("no `make_app` fixture: name the member's app (app_fixture())", pytrace=False)


def app_fixture(create_app: Callable[..., Any], settings: Callable[..., Any], **fixed: Any) -> Any:
    """A conftest's `make_app = app_fixture(create_app, Settings, **fixed_fields)`: the fixture
    building that app on the test's migrated `schema`, with `fixed` and the call's fields;
    `make_app({"clock": ...}, **fields)` also passes options to `create_app`."""

    def fixture(database_url: str, schema: str) -> AppFactory:
        def make(app_options: dict[str, Any] | None = None, /, **fields: Any) -> Any:
            values = {"SMSBUS_DATABASE_URL": database_url, "db_schema": schema} | fixed | fields
            return create_app(settings(**values), **(app_options or {}))

        return make

    return pytest.fixture(fixture, name="make_app")


def tokens_for(scope: str) -> str:
    """SMSBUS_API_TOKENS with `reader` (READ_TOKEN: read) and `scoped` (SCOPED_TOKEN: `scope`)."""
    return f"reader:{READ_TOKEN}:read,scoped:{SCOPED_TOKEN}:{scope}"


Call = tuple[str, str, Any]
"""(method, path, JSON body or None)."""


async def check_tokens(
    http: httpx.AsyncClient, *, read: Call, write: Call, write_status: int
) -> None:
    """The table every service API answers (apps built with `tokens_for(<its write scope>)`):
    no token or a wrong one → 401 with WWW-Authenticate, a read token on a write → 403, the
    right scope → 2xx."""
    cases: list[tuple[str, Call, str | None, int]] = [
        ("no token", write, None, 401),
        ("wrong token", write, "w" * 40, 401),
        ("read token on a write", write, READ_TOKEN, 403),
        ("read token on a read", read, READ_TOKEN, 200),
        ("write scope on a write", write, SCOPED_TOKEN, write_status),
    ]
    for label, (method, path, body), token, status in cases:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await http.request(method, path, json=body, headers=headers)
        assert response.status_code == status, (label, response.status_code, response.text)
        if status == 401:
            assert response.headers["WWW-Authenticate"] == "Bearer", label


async def check_every_operation_needs_a_token(
    http: httpx.AsyncClient, schema: dict[str, Any], *, hidden: Iterable[tuple[str, str]] = ()
) -> int:
    """Walks every operation of an app's OpenAPI (and `hidden` ones outside it): each but
    /healthz, /readyz and /metrics shows the bearer scheme and answers 401 without a token,
    so a new route cannot slip past. Returns how many it checked."""
    operations = [
        (method.upper(), path)
        for path, items in schema["paths"].items()
        for method, operation in items.items()
        if path not in OPEN_PATHS
    ]
    for method, path in operations:
        assert schema["paths"][path][method.lower()].get("security"), f"{method} {path} is open"
    checked = 0
    for method, path in [*operations, *hidden]:
        response = await http.request(method, re.sub(r"\{[^}]+\}", "x", path), headers={})
        assert response.status_code == 401, f"{method} {path} answered {response.status_code}"
        checked += 1
    return checked


async def check_api_auth(
    http: httpx.AsyncClient,
    *,
    read: Call,
    write: Call,
    write_status: int,
    hidden: Iterable[tuple[str, str]] = (),
) -> None:
    """Both rules of every service API: the tokens table (`check_tokens`, the app built with
    `tokens_for(<its write scope>)`), and no operation open without a token."""
    await check_tokens(http, read=read, write=write, write_status=write_status)
    schema = (await http.get("/openapi.json")).json()
    assert await check_every_operation_needs_a_token(http, schema, hidden=hidden) > 0


def asgi_client(app: Any, **options: Any) -> httpx.AsyncClient:
    """A client to an app in this process, its lifespan not run (no broker, no workers)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://app", **options
    )


@dataclass(frozen=True)
class Hostile:
    """A hostile request of a kind the fuzzing found (tests-e2e/test_fuzz_apis.py), sent with
    an `all` token, and the answer it must get instead of a 5xx."""

    label: str
    method: str
    path: str
    status: int
    json: Any = None
    content: bytes | None = None
    files: dict[str, Any] | None = None
    data: dict[str, str] | None = None
    """Form fields (with `files`)."""
    headers: dict[str, str] = field(default_factory=dict)


async def check_hostile(http: httpx.AsyncClient, cases: Iterable[Hostile]) -> None:
    """Each case gets its status, and that status is one its operation documents; a 422 is in
    FastAPI's own shape (a list of {loc, msg, type}), as every operation documents it."""
    schema = (await http.get("/openapi.json")).json()
    for case in cases:
        response = await http.request(
            case.method,
            case.path,
            json=case.json,
            content=case.content,
            files=case.files,
            data=case.data,
            headers=AUTH | case.headers,
        )
        assert response.status_code == case.status, (
            case.label,
            response.status_code,
            response.text,
        )
        documented = _operation(schema, case.method, case.path)["responses"]
        assert str(case.status) in documented, (case.label, f"{case.status} is undocumented")
        if case.status == 422:
            errors = response.json()["detail"]
            assert isinstance(errors, list), (case.label, errors)
            assert all({"loc", "msg", "type"} <= set(error) for error in errors), case.label


def _operation(schema: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    route = path.split("?")[0]
    # a literal path before a template that also matches it (/v1/consent/imports, {phone})
    for template, operations in sorted(schema["paths"].items(), key=lambda item: "{" in item[0]):
        if compile_path(template)[0].match(route) and method.lower() in operations:
            found: dict[str, Any] = operations[method.lower()]
            return found
    raise AssertionError(f"{method} {path} is no operation of the OpenAPI")


@dataclass(frozen=True)
class ApiRules:
    """A service API's rules as data: its write scope, a read and a write call (the write's
    status with that scope), operations outside its OpenAPI, and its hostile cases."""

    scope: str
    read: Call
    write: Call
    write_status: int
    hostile: Sequence[Hostile]
    hidden: Sequence[tuple[str, str]] = ()


def api_rule_tests(rules: ApiRules) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The two tests every service API passes, on its `make_app`; a test module binds them:
    `test_tokens_and_scopes_and_no_open_operation, test_hostile_input_gets_a_documented_4xx =
    api_rule_tests(RULES)`."""

    async def test_tokens_and_scopes_and_no_open_operation(make_app: AppFactory) -> None:
        async with asgi_client(make_app(SMSBUS_API_TOKENS=tokens_for(rules.scope))) as http:
            await check_api_auth(
                http,
                read=rules.read,
                write=rules.write,
                write_status=rules.write_status,
                hidden=rules.hidden,
            )

    async def test_hostile_input_gets_a_documented_4xx(make_app: AppFactory) -> None:
        async with asgi_client(make_app()) as http:
            await check_hostile(http, rules.hostile)

    return test_tokens_and_scopes_and_no_open_operation, test_hostile_input_gets_a_documented_4xx


async def answers_ready(api: httpx.AsyncClient) -> bool:
    """The service behind `api` answers /readyz with 200 (False while it is not listening yet):
    what a harness waits for, `await eventually(lambda: answers_ready(api))`."""
    try:
        return (await api.get("/readyz")).status_code == 200
    except httpx.TransportError:
        return False
