"""The database side every service shares: an engine bound to the service's own schema.

Every connection of `make_engine(url, schema=...)` has `search_path=<schema>`, so the service's
tables (and the runtime's inbox/outbox tables) are unqualified and live in that schema only.
In a FastAPI app: `install_sessions(app, sessions)` in the composition root, then `SessionDep`
in route signatures.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from typing import Annotated, Any, Final

from fastapi import Depends, FastAPI, Request
from sqlalchemy import CursorResult, Executable, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

_IDENTIFIER: Final = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

Sessions = async_sessionmaker[AsyncSession]


def check_schema_name(schema: str) -> str:
    """Schema names are plain lower-case identifiers (they are interpolated into DDL)."""
    if not _IDENTIFIER.fullmatch(schema):
        raise ValueError(f"not a valid schema name: {schema!r}")
    return schema


def make_engine(database_url: str, *, schema: str, **options: Any) -> AsyncEngine:
    """An asyncpg engine whose connections see only `schema` (search_path)."""
    check_schema_name(schema)
    options.setdefault("pool_pre_ping", True)
    return create_async_engine(
        database_url,
        connect_args={"server_settings": {"search_path": schema}},
        **options,
    )


def make_sessions(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def ensure_schema(engine: AsyncEngine, schema: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{check_schema_name(schema)}"'))


async def drop_schema(engine: AsyncEngine, schema: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{check_schema_name(schema)}" CASCADE'))


async def create_tables(engine: AsyncEngine, tables: Iterable[Table] | None = None) -> None:
    """Creates tables of `SQLModel.metadata` in the engine's schema (tests; services migrate)."""
    selected = list(tables) if tables is not None else None
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all, tables=selected)


async def ping(engine: AsyncEngine) -> None:
    """Raises unless the database answers a query (a readiness check)."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def install_sessions(app: FastAPI, sessions: Sessions) -> None:
    """Makes `SessionDep` work in this app's routes."""
    app.state.sessions = sessions


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    sessions: Sessions = request.app.state.sessions
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]


async def execute(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> CursorResult[Any]:
    """A Core statement (an insert … returning, a locking select) in the session's transaction."""
    connection = await session.connection()
    return await connection.execute(statement, params or {})
