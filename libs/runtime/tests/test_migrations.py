from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.inbox import ProcessedEvent
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.outbox import OutboxMessage
from smsbus.runtime.testing_migrations import migration_drift

pytestmark = pytest.mark.integration

SCRIPTS = Path(__file__).with_name("migrations_fixture")


async def test_upgrade_migrates_only_the_service_schema(
    database_url: str, db_schema: str, db_engine: AsyncEngine
) -> None:
    await upgrade(database_url, schema=db_schema, script_location=SCRIPTS)
    await upgrade(database_url, schema=db_schema, script_location=SCRIPTS)  # idempotent

    query = text(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = :s ORDER BY 1"
    )
    async with db_engine.connect() as conn:
        tables = (await conn.execute(query, {"s": db_schema})).scalars().all()
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        public = (await conn.execute(query, {"s": "public"})).scalars().all()
    assert tables == ["alembic_version", "outbox", "processed_events", "widgets"]
    assert version == "0003"
    assert "widgets" not in public


async def test_the_runtime_tables_a_migration_creates_match_the_runtime_models(
    database_url: str, db_schema: str, db_engine: AsyncEngine
) -> None:
    await upgrade(database_url, schema=db_schema, script_location=SCRIPTS)
    runtime_tables = {ProcessedEvent.__tablename__, OutboxMessage.__tablename__}

    assert await migration_drift(db_engine, runtime_tables) == []
