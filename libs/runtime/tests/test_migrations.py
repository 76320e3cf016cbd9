from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from smsbus.runtime.inbox import ProcessedEvent
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.outbox import OutboxMessage

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
    assert version == "0002"
    assert "widgets" not in public


async def test_the_runtime_tables_a_migration_creates_match_the_runtime_models(
    database_url: str, db_schema: str, db_engine: AsyncEngine
) -> None:
    await upgrade(database_url, schema=db_schema, script_location=SCRIPTS)
    runtime_tables = {ProcessedEvent.__tablename__, OutboxMessage.__tablename__}

    def diff(connection):  # type: ignore[no-untyped-def]
        def runtime_only(obj, name, type_, *_):  # type: ignore[no-untyped-def]
            table = obj if type_ == "table" else getattr(obj, "table", None)
            return (table.name if table is not None else name) in runtime_tables

        opts = {"compare_type": True, "include_object": runtime_only}
        return compare_metadata(
            MigrationContext.configure(connection, opts=opts), SQLModel.metadata
        )

    async with db_engine.connect() as conn:
        changes = await conn.run_sync(diff)

    assert changes == []
