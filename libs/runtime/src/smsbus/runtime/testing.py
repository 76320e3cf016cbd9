"""The pytest plugin every member loads (`-p smsbus.runtime.testing`).

- `kafka_bootstrap`, `database_url` (session): from SMSBUS_KAFKA_BOOTSTRAP / SMSBUS_DATABASE_URL,
  else from testcontainers when a Docker engine answers, else a failure saying how to start
  the stack. Only tests that ask for them need them.
- `new_topic` (factory): `await new_topic(partitions=3)` creates a unique topic (or `name=`),
  deleted after the test.
- `db_schema` / `db_engine`: a fresh PostgreSQL schema per test (dropped after), and an engine
  bound to it.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, NoReturn

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel
from starlette.routing import compile_path

from smsbus.runtime.db import drop_schema, ensure_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics

HOW_TO_START = (
    "no {what}: set {var} (e.g. `export {var}={example}`) after starting the local stack with "
    "`make up` or `./uv run smsbus stack up`, or run a Docker engine so testcontainers can "
    "start one."
)

NewTopic = Callable[..., Awaitable[str]]


def _docker_answers() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def _unavailable(what: str, var: str, example: str) -> NoReturn:
    pytest.fail(HOW_TO_START.format(what=what, var=var, example=example), pytrace=False)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    configured = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP")
    if configured:
        yield configured
        return
    if not _docker_answers():
        _unavailable("Kafka broker", "SMSBUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer().with_kraft() as container:
        yield str(container.get_bootstrap_server())


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    configured = os.environ.get("SMSBUS_DATABASE_URL")
    if configured:
        yield configured
        return
    if not _docker_answers():
        _unavailable(
            "PostgreSQL",
            "SMSBUS_DATABASE_URL",
            "postgresql+asyncpg://smsbus:smsbus@127.0.0.1:5432/smsbus",
        )
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:15", driver="asyncpg") as container:
        yield str(container.get_connection_url())


async def eventually(
    check: Callable[[], Awaitable[Any]], within: float = 30.0, every: float = 0.1
) -> Any:
    """Awaits `check()` until it answers something truthy and returns that; AssertionError after
    `within` seconds (the bounded wait every integration test polls with)."""
    deadline = time.monotonic() + within
    while not (result := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {within}s: {check}")
        await asyncio.sleep(every)
    return result


# Fixed API tokens (runtime/auth.py) for every test: the plugin sets SMSBUS_API_TOKENS, which
# apps built in-process and services spawned by tests (they inherit the environment) read.
TEST_TOKEN = "tests-all-0123456789abcdefghijklmnopqrstuv"
READ_TOKEN = "tests-read-0123456789abcdefghijklmnopqrstu"
CRM_TOKEN = "tests-crm-0123456789abcdefghijklmnopqrstuv"
TEST_TOKENS = f"tests:{TEST_TOKEN}:all,reader:{READ_TOKEN}:read,crm:{CRM_TOKEN}:consent+read"
AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}
"""Headers for a test's HTTP client toward a service API."""


def pytest_configure(config: pytest.Config) -> None:  # noqa: ARG001 (pytest's hook signature)
    os.environ["SMSBUS_API_TOKENS"] = TEST_TOKENS
    for caller in ("SMSBUS_API_TOKEN", "SMSBUS_CAMPAIGNS_API_TOKEN", "SMSBUS_COMPLIANCE_API_TOKEN"):
        os.environ[caller] = TEST_TOKEN


SCOPED_TOKEN = "tests-scoped-0123456789abcdefghijklmnopqr"
OPEN_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


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


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def new_topic(kafka_bootstrap: str) -> AsyncIterator[NewTopic]:
    created: list[str] = []

    async def create(prefix: str = "test", *, partitions: int = 1, name: str = "") -> str:
        name = name or f"{prefix}.{uuid.uuid4().hex[:12]}.v1"
        await ensure_topics(kafka_bootstrap, [name], partitions=partitions)
        created.append(name)
        return name

    yield create
    if created:
        await delete_topics(kafka_bootstrap, created)


@pytest.fixture
async def db_schema(database_url: str) -> AsyncIterator[str]:
    schema = unique_name("test")
    engine = make_engine(database_url, schema=schema)
    try:
        await ensure_schema(engine, schema)
        yield schema
        await drop_schema(engine, schema)
    finally:
        await engine.dispose()


@pytest.fixture
async def db_engine(database_url: str, db_schema: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, schema=db_schema)
    yield engine
    await engine.dispose()


def tables_of(models: ModuleType) -> set[str]:
    """The names of the tables a models module declares (its own SQLModel table classes)."""
    return {
        str(value.__table__.name)
        for value in vars(models).values()
        if isinstance(value, type)
        and issubclass(value, SQLModel)
        and value.__module__ == models.__name__
        and hasattr(value, "__table__")
    }


async def migration_drift(engine: AsyncEngine, tables: Iterable[str]) -> list[Any]:
    """What Alembic's autogenerate would change so that the migrated schema behind `engine`
    matches the models of `tables`: [] when the migrations create exactly what they declare.
    Only those tables are compared (every member's models share SQLModel.metadata in a run)."""
    wanted = set(tables)
    if not wanted:
        raise ValueError("no tables to compare: a drift check of nothing cannot fail")

    def ours(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return (table.name if table is not None else name) in wanted

    def differences(connection: Connection) -> list[Any]:
        opts = {"compare_type": True, "include_object": ours}
        return list(
            compare_metadata(MigrationContext.configure(connection, opts=opts), SQLModel.metadata)
        )

    async with engine.connect() as connection:
        return await connection.run_sync(differences)
