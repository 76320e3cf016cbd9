"""The HTTP API (OpenAPI at /docs): translate, call domain and store, translate back."""

from __future__ import annotations

from fastapi import APIRouter

from smsbus.health.api import alerts, checks


def api_router() -> APIRouter:
    router = APIRouter()
    router.include_router(checks.router)
    router.include_router(alerts.router)
    return router
