"""`/asyncapi.json`: the AsyncAPI 3.0 document of a service's own channels — the topics it
publishes, the ones its consumer group reads, its dead-letter topics (smsbus.contracts.asyncapi).

Public, like /openapi.json: it describes contracts, not data. Built on the first request from
the registry and the committed schemas, then kept.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from smsbus.contracts.asyncapi import document, load_inputs, services

PATH = "/asyncapi.json"


@cache
def service_document(service: str) -> dict[str, Any]:
    return document(*load_inputs(), service=service)


def asyncapi_router(service: str) -> APIRouter:
    """`service` as the registry names it (its producers and consumer groups)."""
    if service not in services():  # a wiring mistake: fail at start-up, not on the first request
        raise ValueError(f"the topic registry names no producer or consumer {service!r}")
    router = APIRouter()

    @router.get(PATH, include_in_schema=False)
    async def asyncapi() -> JSONResponse:
        return JSONResponse(service_document(service))

    return router
