"""The HTTP API (OpenAPI at /docs): translate, call domain and store, translate back."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from smsbus.compliance.api import consent, consent_imports, deps, dnc, outbound, phones
from smsbus.compliance.consent_jobs import ConsentImports
from smsbus.compliance.dnc_jobs import DncImports


def api_router() -> APIRouter:
    router = APIRouter(prefix="/v1")
    # Before consent's: /v1/consent/imports is no phone number (/v1/consent/{phone}).
    router.include_router(consent_imports.router)
    router.include_router(consent.router)
    router.include_router(dnc.router)
    router.include_router(phones.router)
    router.include_router(outbound.router)
    return router


def install(
    app: FastAPI, compliance: deps.Compliance, dnc_jobs: DncImports, consent_jobs: ConsentImports
) -> None:
    """What the routes find on the app: the service's parts, the two kinds of import."""
    deps.COMPLIANCE.install(app, compliance)
    dnc.DNC_IMPORTS.install(app, dnc_jobs)
    consent_imports.CONSENT_IMPORTS.install(app, consent_jobs)
