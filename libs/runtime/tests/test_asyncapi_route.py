"""`/asyncapi.json`: a service's own channels, served without a token like /openapi.json."""

import httpx
import pytest
from fastapi import FastAPI

from smsbus.runtime.asyncapi import asyncapi_router


async def test_a_service_serves_its_own_channels_without_a_token() -> None:
    app = FastAPI()
    app.include_router(asyncapi_router("health-monitor"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://health") as http:
        answer = await http.get("/asyncapi.json")
    assert answer.status_code == 200
    served = answer.json()
    assert served["asyncapi"] == "3.0.0"
    assert set(served["channels"]) == {
        "openphone.messages.v1", "outbound.results.v1", "health.checks.v1",
        "outbound.requests.v1", "openphone.messages.v1.health-monitor.dlq",
        "outbound.results.v1.health-monitor.dlq",
    }  # fmt: skip
    assert "/asyncapi.json" not in app.openapi()["paths"]  # not an API operation


def test_a_name_the_registry_does_not_know_fails_at_wiring() -> None:
    with pytest.raises(ValueError, match="'health'"):
        asyncapi_router("health")
