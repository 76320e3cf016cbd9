"""Keyword-only async functions over campaign-engine's tables."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlmodel.ext.asyncio.session import AsyncSession


async def run(
    session: AsyncSession, statement: Executable, params: dict[str, Any] | None = None
) -> CursorResult[Any]:
    """A Core statement in the session's transaction."""
    connection = await session.connection()
    return await connection.execute(statement, params or {})
