"""Fixtures for compliance's integration and e2e tests (unit tests need none)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.compliance
from smsbus.runtime.db import Sessions, make_engine, make_sessions
from smsbus.runtime.migrations import upgrade

MIGRATIONS = Path(smsbus.compliance.__file__).parent / "migrations"


@pytest.fixture
async def schema(database_url: str, db_schema: str) -> str:
    """A fresh schema migrated to head (the ledger's append-only trigger included)."""
    await upgrade(database_url, schema=db_schema, script_location=MIGRATIONS)
    return db_schema


@pytest.fixture
async def engine(database_url: str, schema: str) -> AsyncIterator[AsyncEngine]:
    migrated = make_engine(database_url, schema=schema)
    yield migrated
    await migrated.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)
