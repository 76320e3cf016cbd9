"""The HTTP API (OpenAPI at /docs): translate, call domain and store, translate back."""

from __future__ import annotations

from fastapi import APIRouter

from smsbus.compliance.api import consent, consent_imports, dnc, outbound, phones


def api_router() -> APIRouter:
    router = APIRouter(prefix="/v1")
    # Before consent's: /v1/consent/imports is no phone number (/v1/consent/{phone}).
    router.include_router(consent_imports.router)
    router.include_router(consent.router)
    router.include_router(dnc.router)
    router.include_router(phones.router)
    router.include_router(outbound.router)
    return router
