"""Fixtures for the monitor's integration tests (unit tests need none)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.health
from smsbus.runtime.db import make_engine
from smsbus.runtime.migrations import upgrade

MIGRATIONS = Path(smsbus.health.__file__).parent / "migrations"


@pytest.fixture
async def schema(database_url: str, db_schema: str) -> str:
    """A fresh schema migrated to head."""
    await upgrade(database_url, schema=db_schema, script_location=MIGRATIONS)
    return db_schema


@pytest.fixture
async def engine(database_url: str, schema: str) -> AsyncIterator[AsyncEngine]:
    migrated = make_engine(database_url, schema=schema)
    yield migrated
    await migrated.dispose()
