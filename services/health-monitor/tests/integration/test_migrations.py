"""The Alembic migration creates exactly the tables and indexes the models declare."""

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from smsbus.health import models

# Every member's models share SQLModel.metadata in one pytest run: compare the monitor's only.
OURS = {getattr(models, name).__tablename__ for name in models.__all__}

pytestmark = pytest.mark.integration


def _ours(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or table.name in OURS or name in OURS


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _ours}
    )
    return list(compare_metadata(context, SQLModel.metadata))


async def test_the_migration_matches_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
