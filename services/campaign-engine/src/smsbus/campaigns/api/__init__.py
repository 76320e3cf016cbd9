"""The HTTP API (OpenAPI at /docs)."""

from fastapi import APIRouter

from smsbus.campaigns.api import campaigns, contacts, imports, templates


def api_router() -> APIRouter:
    router = APIRouter()
    router.include_router(imports.router, tags=["contact imports"])
    router.include_router(contacts.router, tags=["contacts, lists, templates"])
    router.include_router(templates.router, tags=["template library"])
    router.include_router(campaigns.router, tags=["campaigns"])
    router.include_router(campaigns.testing_router)
    return router
