"""The HTTP API (OpenAPI at /docs): translate, call domain and store, translate back."""

from __future__ import annotations

from fastapi import APIRouter

from smsbus.compliance.api import consent, dnc, outbound, phones


def api_router() -> APIRouter:
    router = APIRouter(prefix="/v1")
    router.include_router(consent.router)
    router.include_router(dnc.router)
    router.include_router(phones.router)
    router.include_router(outbound.router)
    return router
