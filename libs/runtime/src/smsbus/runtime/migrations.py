"""Alembic wiring: each service migrates its own schema, with its version table in that schema.

A service's `migrations/env.py` is two lines:

    from smsbus.runtime.migrations import run_migrations
    run_migrations(schema="compliance", target_metadata=SQLModel.metadata)

and `await upgrade(database_url, schema="compliance", script_location=".../migrations")` applies
them from code (the CLI's `smsbus migrate`, tests; its `schema` wins over env.py's). The
database URL comes from the caller (`upgrade`), else the `sqlalchemy.url` option, else
`SMSBUS_DATABASE_URL` via the settings.

The runtime's own tables (the inbox's `processed_events`, the `outbox`) are created by a service's
first migration with `create_runtime_tables()` (both) or `create_inbox_table()` /
`create_outbox_table()`: their shape is the runtime's, written once here. A change to them is a
new function, never an edit of these (the inbox's version 2: `add_inbox_age_index()`).
`TIMESTAMP` and `identity_key()` are the column shapes every service's tables share.

A revision file needs only its docstring, `revision`, `down_revision`, `upgrade()` and
`downgrade()` (Alembic defaults `branch_labels` and `depends_on` to none).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.db import check_schema_name, ensure_schema, make_engine
from smsbus.runtime.settings import ServiceSettings

VERSION_TABLE = "alembic_version"


def _configure(schema: str, target_metadata: MetaData | None, **options: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        version_table_schema=schema,
        include_schemas=False,
        compare_type=True,
        **options,  # type: ignore[arg-type]
    )


def _run_on(connection: Connection, schema: str, target_metadata: MetaData | None) -> None:
    connection.execute(text(f'SET search_path TO "{schema}"'))
    _configure(schema, target_metadata, connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str, schema: str, target_metadata: MetaData | None) -> None:
    engine = make_engine(url, schema=schema)
    try:
        await ensure_schema(engine, schema)
        async with engine.connect() as conn:
            await conn.run_sync(_run_on, schema, target_metadata)
            await conn.commit()
    finally:
        await engine.dispose()


def run_migrations(*, schema: str, target_metadata: MetaData | None) -> None:
    """The body of a service's env.py; `upgrade(schema=...)` may redirect it (tests)."""
    config = context.config
    schema = check_schema_name(str(config.attributes.get("schema", schema)))
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run_on(connection, schema, target_metadata)
        return
    url = config.get_main_option("sqlalchemy.url") or ServiceSettings().database_url
    if context.is_offline_mode():
        _configure(schema, target_metadata, url=url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, schema, target_metadata))


def alembic_config(script_location: str | Path, database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(
    database_url: str, *, schema: str, script_location: str | Path, revision: str = "head"
) -> None:
    """Creates `schema` if needed and applies the migrations up to `revision`."""
    engine: AsyncEngine = make_engine(database_url, schema=schema)
    config = alembic_config(script_location, database_url)

    def apply(connection: Connection) -> None:
        config.attributes["connection"] = connection
        config.attributes["schema"] = schema
        command.upgrade(config, revision)

    try:
        await ensure_schema(engine, schema)
        async with engine.begin() as conn:
            await conn.run_sync(apply)
    finally:
        await engine.dispose()


TIMESTAMP = sa.DateTime(timezone=True)
"""Every timestamp column: timestamptz, so that no clock's zone is assumed."""


def identity_key() -> sa.Column[int]:
    """A table's own `id`: a bigint the database numbers (GENERATED ALWAYS AS IDENTITY)."""
    return sa.Column("id", sa.BigInteger(), sa.Identity(always=True), primary_key=True)


def create_inbox_table() -> None:
    """`processed_events`, version 1 (smsbus.runtime.inbox.ProcessedEvent)."""
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(200), primary_key=True),
        sa.Column("dedupe_key", sa.String(500), primary_key=True),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("processed_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    )


def create_outbox_table() -> None:
    """`outbox` and its pending-rows index, version 1 (smsbus.runtime.outbox.OutboxMessage)."""
    op.create_table(
        "outbox",
        identity_key(),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=True),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", TIMESTAMP, nullable=True),
    )
    op.create_index(
        "outbox_pending_idx", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL")
    )


def add_inbox_age_index() -> None:
    """`processed_events`, version 2: indexed by age, for pruning (runtime/pruning.py). A
    service's revision takes it whole: `upgrade, downgrade = add_inbox_age_index, drop_…`.
    Writes to the inbox wait while the index builds; on a large inbox, build it beforehand
    without blocking (`CREATE INDEX CONCURRENTLY processed_events_age_idx ON <schema>.
    processed_events (processed_at)`) and this step finds it there."""
    op.create_index(
        "processed_events_age_idx", "processed_events", ["processed_at"], if_not_exists=True
    )


def drop_inbox_age_index() -> None:
    """Back to `processed_events` version 1."""
    op.drop_index("processed_events_age_idx", table_name="processed_events")


def create_runtime_tables() -> None:
    """The inbox and the outbox: what a service that consumes and publishes needs of the runtime."""
    create_inbox_table()
    create_outbox_table()
