"""HTTP request metrics: one series per route template, method and status, whatever the path
carried; errors counted as what the client got. Read back from /metrics as Prometheus would."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from httpx import ASGITransport, AsyncClient
from prometheus_client.parser import text_string_to_metric_families
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from smsbus.runtime.http_metrics import instrument_requests
from smsbus.runtime.metrics import Metrics, metrics_router

PHONE = "+14155550123"
REQUESTS = "smsbus_http_tests_http_requests"
DURATION = "smsbus_http_tests_http_request_duration_seconds"


def build() -> FastAPI:
    app = FastAPI()
    metrics = Metrics("http-tests")

    @app.get("/v1/consent/{phone}")
    async def consent(phone: str) -> dict[str, str]:
        if phone.endswith("0000"):
            raise HTTPException(status_code=404, detail="unknown number")
        return {"phone": phone}

    @app.post("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    async def plain(_: Request) -> Response:
        return PlainTextResponse("plain")

    async def raw(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("raw", status_code=202)(scope, receive, send)

    app.router.routes.append(Route("/plain/{item}", endpoint=plain, methods=["GET"]))
    app.include_router(metrics_router(metrics))
    instruments = instrument_requests(app, metrics)
    app.state.raw = instruments.middleware(raw, route="/raw")
    return app


def samples(exposition: str, family: str) -> dict[tuple[str, str, str], float]:
    """(route, method, status) → value of the family's counter or histogram count."""
    found = {}
    for metric in text_string_to_metric_families(exposition):
        for sample in metric.samples:
            if sample.name in (f"{family}_total", f"{family}_count"):
                labels = sample.labels
                found[(labels["route"], labels["method"], labels["status"])] = sample.value
    return found


@pytest.fixture
async def exposed() -> str:
    app = build()
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://svc") as client:
        for number in (PHONE, "+14155550124", "+14155550000"):
            await client.get(f"/v1/consent/{number}")
        assert (await client.post("/v1/boom")).status_code == 500
        assert (await client.delete(f"/v1/consent/{PHONE}")).status_code == 405
        for path in ("/wp-admin", f"/lookup/{PHONE}"):
            assert (await client.get(path)).status_code == 404
        assert (await client.get("/plain/a")).text == "plain"
        assert (await client.post("/plain/b")).status_code == 405
        assert (await client.request("PROPFIND", "/plain/c")).status_code == 405
    # An endpoint outside the router (ingest's webhook), measured under its given route.
    raw = AsyncClient(transport=ASGITransport(app=app.state.raw), base_url="http://svc")
    async with raw:
        assert (await raw.post("/anything")).status_code == 202
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://svc") as client:
        return (await client.get("/metrics")).text


def test_requests_are_counted_by_route_template_method_and_status(exposed: str) -> None:
    expected = {
        ("/v1/consent/{phone}", "GET", "200"): 2.0,
        ("/v1/consent/{phone}", "GET", "404"): 1.0,
        ("/v1/consent/{phone}", "DELETE", "405"): 1.0,
        ("/v1/boom", "POST", "500"): 1.0,
        ("unmatched", "GET", "404"): 2.0,
        ("/plain/{item}", "GET", "200"): 1.0,
        ("/plain/{item}", "POST", "405"): 1.0,
        ("/plain/{item}", "OTHER", "405"): 1.0,
        ("/raw", "POST", "202"): 1.0,
    }
    assert samples(exposed, REQUESTS) == expected
    assert samples(exposed, DURATION) == expected


def test_no_path_value_becomes_a_label(exposed: str) -> None:
    assert PHONE not in exposed
    assert "wp-admin" not in exposed
    assert "/plain/a" not in exposed


def test_durations_land_in_buckets(exposed: str) -> None:
    (family,) = [f for f in text_string_to_metric_families(exposed) if f.name == DURATION]
    buckets = [s for s in family.samples if s.name.endswith("_bucket")]
    bounds = {s.labels["le"] for s in buckets}
    assert {"0.005", "1.0", "30.0", "+Inf"} <= bounds
    infinite = [
        s.value
        for s in buckets
        if s.labels["le"] == "+Inf"
        and s.labels["route"] == "/v1/consent/{phone}"
        and s.labels["status"] == "200"
    ]
    assert infinite == [2.0]
