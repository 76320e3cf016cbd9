"""The pytest plugin every member loads (`-p smsbus.runtime.testing`).

- `kafka_bootstrap`, `database_url` (session): from SMSBUS_KAFKA_BOOTSTRAP / SMSBUS_DATABASE_URL,
  else from testcontainers when a Docker engine answers, else a failure saying how to start
  the stack. Only tests that ask for them need them.
- `new_topic` (factory): `await new_topic(partitions=3)` creates a unique topic (or `name=`),
  deleted after the test.
- `registry_topics` (factory): `await registry_topics(partitions=3)` creates every registry
  topic under a prefix of the test's own and returns the `topic_overrides` that route a
  service's settings to them (`isolated_topics(prefix)` names them without creating them).
- `stack_infra`: the four above in one `StackInfra`, what a harness's `running_stack` runs on.
- `service_fields(...)`: a consuming service's settings from the stack's addresses.
- `db_schema` / `db_engine`: a fresh PostgreSQL schema per test (dropped after), and an engine
  bound to it.
- `schema` / `engine` / `sessions`: the same schema migrated with the member's Alembic scripts,
  which its conftest names: `migrations = migrations_fixture(smsbus.<service>)`. Harnesses of
  several members, and drift checks: runtime/testing_migrations.py.
- `make_app` and the API checks (`check_api_auth`, `check_hostile`, the test tokens and `AUTH`
  headers): runtime/testing_api.py.
- Global rules on every test (runtime/testing_guards.py): connections beyond loopback are
  refused and fail the test; no test token or key, nor an unmasked phone number, in the logs.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import all_topics
from smsbus.runtime.db import Sessions, drop_schema, ensure_schema, make_engine, make_sessions
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.testing_api import (
    CRM_TOKEN,
    OPENPHONE_KEY,
    READ_TOKEN,
    SCOPED_TOKEN,
    TEST_TOKEN,
    TEST_TOKENS,
)
from smsbus.runtime.testing_api import make_app as make_app  # the plugin's fixture
from smsbus.runtime.testing_guards import MARKERS, alone_if_marked, leaks, recorded_logs
from smsbus.runtime.testing_guards import loopback_only as loopback_only
from smsbus.runtime.testing_migrations import migrations_of

HOW_TO_START = (
    "no {what}: set {var} (e.g. `export {var}={example}`) after starting the local stack with "
    "`make up` or `./uv run smsbus stack up`, or run a Docker engine so testcontainers can "
    "start one."
)

NewTopic = Callable[..., Awaitable[str]]
RegistryTopics = Callable[..., Awaitable[dict[str, str]]]


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


def _configured_or_container(
    var: str, what: str, example: str, start: Callable[[], Any], address: Callable[[Any], str]
) -> Iterator[str]:
    """The address in `var`, else a testcontainers container's (`start()`), else a failure."""
    configured = os.environ.get(var)
    if configured:
        yield configured
        return
    if not _docker_answers():
        pytest.fail(HOW_TO_START.format(what=what, var=var, example=example), pytrace=False)
    with start() as container:
        yield address(container)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    def start() -> Any:
        from testcontainers.kafka import KafkaContainer

        return KafkaContainer().with_kraft()

    yield from _configured_or_container(
        "SMSBUS_KAFKA_BOOTSTRAP", "Kafka broker", "127.0.0.1:9092", start,
        lambda container: str(container.get_bootstrap_server()),
    )  # fmt: skip


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    def start() -> Any:
        from testcontainers.postgres import PostgresContainer

        return PostgresContainer("postgres:15", driver="asyncpg")

    yield from _configured_or_container(
        "SMSBUS_DATABASE_URL", "PostgreSQL",
        "postgresql+asyncpg://smsbus:smsbus@127.0.0.1:5432/smsbus", start,
        lambda container: str(container.get_connection_url()),
    )  # fmt: skip


def service_fields(
    *,
    database_url: str,
    bootstrap: str,
    topics: dict[str, str],
    schema: str,
    group: str,
    openphone: Any = None,
) -> dict[str, Any]:
    """The settings a consuming service takes from the stack a harness or a bench runs it in:
    the database and broker, its schema and consumer group, the topics (registry topic → the
    run's own), and OpenPhone's address and key (`openphone`: the simulator, or None)."""
    fields: dict[str, Any] = {
        "SMSBUS_DATABASE_URL": database_url,
        "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
        "topic_overrides": topics,
        "db_schema": schema,
        "group_id": group,
    }
    if openphone is not None:
        fields |= {
            "SMSBUS_OPENPHONE_BASE_URL": openphone.base_url,
            "SMSBUS_OPENPHONE_API_KEY": openphone.api_key,
        }
    return fields


class StepClock:
    """The wall clock (a simulator's runs on it too), moved ahead by `advance()`: what a test
    needs to age facts past a grace period without waiting."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


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


def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    os.environ["SMSBUS_API_TOKENS"] = TEST_TOKENS
    for caller in ("SMSBUS_API_TOKEN", "SMSBUS_CAMPAIGNS_API_TOKEN", "SMSBUS_COMPLIANCE_API_TOKEN"):
        os.environ[caller] = TEST_TOKEN


NEVER_LOGGED = (TEST_TOKEN, READ_TOKEN, CRM_TOKEN, SCOPED_TOKEN, OPENPHONE_KEY)


@pytest.fixture
def log_secrets() -> Iterable[str]:
    """A member's own secrets that no log line may show (its conftest overrides this)."""
    return ()


@pytest.fixture(autouse=True)
def alone_when_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test marked `alone` runs with no other beside it (testing_guards.py)."""
    with alone_if_marked(request.node):
        yield


@pytest.fixture(autouse=True)
def no_secret_in_logs(log_secrets: Iterable[str]) -> Iterator[None]:
    with recorded_logs() as records:
        yield
    found = leaks(records, [*NEVER_LOGGED, *log_secrets])
    assert not found, f"the logs show what they never may: {sorted(set(found))}"


def labelled(cases: Iterable[Sequence[Any]]) -> list[Any]:
    """A table of `(label, *values)` rows as pytest params, each with its label as the id:
    `@pytest.mark.parametrize(("a", "b"), labelled(CASES))`."""
    return [pytest.param(*case[1:], id=case[0]) for case in cases]


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


def isolated_topics(prefix: str) -> dict[str, str]:
    """Every registry topic → `<prefix>.<topic>`: the `topic_overrides` that keep a test's or a
    bench's services off the stack's topics (they still need creating)."""
    return {topic: f"{prefix}.{topic}" for topic in all_topics()}


@pytest.fixture
async def registry_topics(kafka_bootstrap: str) -> AsyncIterator[RegistryTopics]:
    created: list[str] = []

    async def create(*, partitions: int = 1) -> dict[str, str]:
        topics = isolated_topics(f"test.{uuid.uuid4().hex[:12]}")
        await ensure_topics(kafka_bootstrap, list(topics.values()), partitions=partitions)
        created.extend(topics.values())
        return topics

    yield create
    if created:
        await delete_topics(kafka_bootstrap, created)


@dataclass(frozen=True)
class StackInfra:
    """The test's Kafka and PostgreSQL and its topic factories: what a harness's stack runs on."""

    database_url: str
    bootstrap: str
    new_topic: NewTopic
    registry_topics: RegistryTopics


@pytest.fixture
def stack_infra(
    database_url: str, kafka_bootstrap: str, new_topic: NewTopic, registry_topics: RegistryTopics
) -> StackInfra:
    return StackInfra(database_url, kafka_bootstrap, new_topic, registry_topics)


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


@pytest.fixture
def migrations() -> Path:
    """The Alembic scripts of the member under test: its conftest says which."""
    pytest.fail("no `migrations` fixture: name the member's (migrations_fixture())", pytrace=False)


def migrations_fixture(package: ModuleType) -> Any:
    """A conftest's `migrations = migrations_fixture(smsbus.<service>)`: its package's scripts."""
    scripts = migrations_of(package)
    return pytest.fixture(lambda: scripts, name="migrations")


@pytest.fixture
async def schema(database_url: str, db_schema: str, migrations: Path) -> str:
    """A fresh schema migrated to head."""
    await upgrade(database_url, schema=db_schema, script_location=migrations)
    return db_schema


@pytest.fixture
def engine(schema: str, db_engine: AsyncEngine) -> AsyncEngine:  # noqa: ARG001 (migrates first)
    """`db_engine`, once its schema is migrated (`schema`)."""
    return db_engine


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)
