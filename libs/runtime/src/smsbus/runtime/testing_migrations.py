"""Migrations in tests: a member's Alembic scripts applied to a schema of a test's own (one, or
one per member for a harness running several), and the drift between migrations and models."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from smsbus.runtime.migrations import upgrade


def migrations_of(package: ModuleType) -> Path:
    """The Alembic scripts of a member's package (`smsbus.<service>`)."""
    return Path(str(package.__file__)).parent / "migrations"


async def migrate(
    database_url: str, *, schema: str, package: ModuleType, revision: str = "head"
) -> None:
    """Creates `schema` if needed and migrates it with `package`'s scripts (a harness that runs
    several members, each on a schema of its own)."""
    await upgrade(
        database_url, schema=schema, script_location=migrations_of(package), revision=revision
    )


async def migrated_schemas(database_url: str, packages: Mapping[str, ModuleType]) -> dict[str, str]:
    """A schema of its own for each member of `packages` (name → `smsbus.<service>`), migrated
    with its scripts: name → schema."""
    schemas = {name: f"{name}_{uuid.uuid4().hex[:12]}" for name in packages}
    for name, package in packages.items():
        await migrate(database_url, schema=schemas[name], package=package)
    return schemas


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
