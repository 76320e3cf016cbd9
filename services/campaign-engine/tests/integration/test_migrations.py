"""The Alembic migrations create exactly the tables (and indexes) the models declare."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns import models
from smsbus.runtime.testing_migrations import migration_drift, tables_of

pytestmark = pytest.mark.integration


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    assert await migration_drift(engine, tables_of(models)) == []
