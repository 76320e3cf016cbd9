"""Fixtures for campaign-engine's integration and e2e tests (unit tests need none)."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.campaigns
from smsbus.runtime.db import Sessions, make_engine, make_sessions
from smsbus.runtime.migrations import upgrade

MIGRATIONS = Path(smsbus.campaigns.__file__).parent / "migrations"


@pytest.fixture
async def engine(database_url: str, db_schema: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(database_url, schema=db_schema, script_location=MIGRATIONS)
    migrated = make_engine(database_url, schema=db_schema)
    yield migrated
    await migrated.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return make_sessions(engine)
