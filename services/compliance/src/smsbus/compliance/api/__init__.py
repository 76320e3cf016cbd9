"""The HTTP API (OpenAPI at /docs): translate, call domain and store, translate back."""

from __future__ import annotations

from fastapi import APIRouter

from smsbus.compliance.api import consent, dnc, phones


def api_router() -> APIRouter:
    router = APIRouter(prefix="/v1")
    router.include_router(consent.router)
    router.include_router(dnc.router)
    router.include_router(phones.router)
    return router
