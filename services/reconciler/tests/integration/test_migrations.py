"""The Alembic migrations create exactly the tables the models declare."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from smsbus.reconciler import models

# Other members' models may share SQLModel.metadata in one test run: compare ours only.
OURS = {getattr(models, name).__tablename__ for name in models.__all__}

pytestmark = pytest.mark.integration


async def test_migrations_match_the_models(engine: AsyncEngine) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        def ours(obj, name, type_, *_):  # type: ignore[no-untyped-def]
            table = obj if type_ == "table" else getattr(obj, "table", None)
            return table is None or table.name in OURS or name in OURS

        opts = {"compare_type": True, "include_object": ours}
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, SQLModel.metadata)

    async with engine.connect() as conn:
        changes = await conn.run_sync(diff)

    assert changes == []
