"""The HTTP API (OpenAPI at /docs): translate, call the runner and the store, translate back."""

from __future__ import annotations

from fastapi import APIRouter

from smsbus.reconciler.api import runs


def api_router() -> APIRouter:
    router = APIRouter()
    router.include_router(runs.router)
    return router
