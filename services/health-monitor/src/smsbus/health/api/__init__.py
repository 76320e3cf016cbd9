"""The HTTP API (OpenAPI at /docs): translate, call domain and store, translate back."""

from __future__ import annotations

from fastapi import APIRouter

from smsbus.health.api import checks


def api_router() -> APIRouter:
    router = APIRouter()
    router.include_router(checks.router)
    return router
