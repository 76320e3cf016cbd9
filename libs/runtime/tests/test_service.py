"""The consuming-service skeleton: subscriptions follow the registry, and the app it builds
serves the shared routes, runs the service's workers and closes what it was given."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import APIRouter

from smsbus.contracts import Envelope, handled_by
from smsbus.runtime.routes import Routes, RoutingError, Unit, subscriptions
from smsbus.runtime.service import About, Api, Foundation, consuming_service
from smsbus.runtime.settings import ConsumingSettings
from smsbus.runtime.testing_api import AUTH


async def ignore(_envelope: Envelope[Any], _unit: Unit) -> None:
    return None


def routes_for(service: str) -> dict[str, Any]:
    return dict.fromkeys(handled_by(service), ignore)


def test_a_service_subscribes_to_the_topics_of_the_types_routed_to_it() -> None:
    overrides = {"openphone.calls.v1": "test.calls"}

    def topic(name: str) -> str:
        return overrides.get(name, name)

    assert subscriptions("reconciler", routes_for("reconciler"), topic) == [
        "openphone.messages.v1",
        "test.calls",
    ]
    assert subscriptions("compliance", routes_for("compliance"), topic) == [
        "openphone.messages.v1",
        "outbound.requests.v1",
    ]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda r: r | {"send.requested": ignore}, "send.requested"),  # not routed to it
        (lambda r: {k: v for k, v in r.items() if k != "call.ringing"}, "call.ringing"),
        (lambda r: r | {"messsage.received": ignore}, "messsage.received"),  # a typo
    ],
    ids=["handles a type routed elsewhere", "misses one routed to it", "a typo"],
)
def test_routes_that_differ_from_the_registry_are_refused(change: Any, named: str) -> None:
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        subscriptions("reconciler", change(routes_for("reconciler")), lambda name: name)


def test_a_routing_error_says_both_ways_it_differs() -> None:
    routes = {k: v for k, v in routes_for("reconciler").items() if k != "call.ringing"}
    with pytest.raises(RoutingError) as refused:
        subscriptions("reconciler", routes | {"send.requested": ignore}, lambda name: name)
    assert "not routed to it: ['send.requested']" in str(refused.value)
    assert "not handled: ['call.ringing']" in str(refused.value)


class Skeleton(ConsumingSettings):
    db_schema: str = "public"
    group_id: str = "skeleton-tests"


@pytest.mark.integration
async def test_the_app_serves_the_shared_routes_and_runs_and_closes_its_parts(
    kafka_bootstrap: str, database_url: str, db_schema: str
) -> None:
    settings = Skeleton(
        kafka_bootstrap=kafka_bootstrap, database_url=database_url, db_schema=db_schema
    )
    base = Foundation.create(settings, service="reconciler", metrics_name="skeleton_tests")
    router = APIRouter()

    @router.get("/v1/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    worked, closed = asyncio.Event(), []

    async def worker() -> None:
        worked.set()
        await asyncio.Event().wait()

    async def close() -> None:
        closed.append("closed")

    handlers: Routes = routes_for("reconciler")
    app = consuming_service(
        base,
        about=About("skeleton", "a test"),
        handlers=handlers,
        api=Api(router, writes="operations"),
        workers={"worker": worker},
        closing=[close],
    )
    async with app.router.lifespan_context(app):
        await asyncio.wait_for(worked.wait(), 10)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/v1/ping")).status_code == 401
            assert (await http.get("/v1/ping", headers=AUTH)).json() == {"pong": "yes"}
            assert (await http.get("/healthz")).status_code == 200
            metrics = (await http.get("/metrics")).text
            assert "smsbus_skeleton_tests_dlq_messages" in metrics
            assert (await http.get("/asyncapi.json")).status_code == 200
        assert closed == []
    assert closed == ["closed"]
