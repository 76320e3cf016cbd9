"""`/healthz` (the process answers) and `/readyz` (its dependencies answer) for a FastAPI app.

A check is an async callable that raises when the dependency is not usable; `/readyz` runs
them all (each with a timeout) and says in its JSON body which one failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime import db
from smsbus.runtime.consumer import Consumer
from smsbus.runtime.failures import error_message
from smsbus.runtime.readiness import Check, NotReadyError

logger = logging.getLogger(__name__)


def kafka_check(broker: KafkaBroker, *, timeout: float = 2.0) -> Check:
    async def check() -> None:
        if not await broker.ping(timeout):
            raise NotReadyError("broker did not answer")

    return check


def database_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        await db.ping(engine)

    return check


async def _run(name: str, check: Check, limit: float) -> tuple[str, str | None]:
    try:
        async with asyncio.timeout(limit):
            await check()
    except TimeoutError:
        return name, f"timed out after {limit}s"
    except Exception as exc:
        logger.warning("readiness check %s failed: %s", name, error_message(exc))
        return name, f"{type(exc).__name__}: {error_message(exc, limit=300)}"
    return name, None


def consumer_checks(
    broker: KafkaBroker, engine: AsyncEngine, consumer: Consumer
) -> dict[str, Check]:
    """What a consuming service's /readyz asks: the broker, its database, that the consumer has
    joined its group, and that no partition is stuck retrying a transient fault."""
    return {
        "kafka": kafka_check(broker),
        "database": database_check(engine),
        "consumer": consumer.check(),
    }


def health_router(checks: Mapping[str, Check], *, timeout: float = 3.0) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        results = await asyncio.gather(*(_run(n, c, timeout) for n, c in checks.items()))
        failed = {name: error for name, error in results if error is not None}
        body = {
            "status": "fail" if failed else "ok",
            "checks": {name: error or "ok" for name, error in results},
        }
        return JSONResponse(body, status_code=503 if failed else 200)

    return router
