"""HTTP request metrics for a service's API: how many requests and how long they took, by route
template (`/v1/consent/{phone}`, never the raw path: no phone number or id becomes a label),
method and status.

    smsbus_<service>_http_requests_total{route, method, status}
    smsbus_<service>_http_request_duration_seconds{route, method, status}   (histogram)

A pure ASGI middleware (no request objects, no background task per request). A path no route
matches is labelled `unmatched`, so a scanner walking random URLs adds one series, not one per
URL. An exception that escapes the app counts as a 500, which is what the client gets.
"""

from __future__ import annotations

import time
from typing import Final

from fastapi import FastAPI
from prometheus_client import Counter, Histogram
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smsbus.runtime.metrics import Metrics

UNMATCHED: Final = "unmatched"
# An API answer normally takes milliseconds; the long tail is a slow database or dependency.
DURATION_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Methods outside this set (a scanner's PROPFIND) share one label value.
_METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestMetrics:
    """The two instruments, and the middleware that feeds them."""

    def __init__(self, metrics: Metrics) -> None:
        labels = ["route", "method", "status"]
        self.requests: Counter = metrics.counter(
            "http_requests_total",
            "HTTP requests answered, by route template, method and status code.",
            labels,
        )
        self.duration: Histogram = metrics.histogram(
            "http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template, "
            "method and status code.",
            labels,
            buckets=DURATION_BUCKETS,
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, *, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method if method in _METHODS else "OTHER", status)
        children = self._children.get(key)
        if children is None:  # once per series: labels() takes a lock and builds the key
            labels = (key[0], key[1], str(status))
            children = self._children[key] = (
                self.requests.labels(*labels),
                self.duration.labels(*labels),
            )
        count, duration = children
        count.inc()
        duration.observe(seconds)

    def middleware(self, app: ASGIApp, *, route: str | None = None) -> ASGIApp:
        """`app` measured; `route` names every request it gets (an ASGI endpoint mounted
        outside the router, like ingest's webhook), else the matched route's template."""
        return _Measured(app, self, route)


def instrument_requests(app: FastAPI, metrics: Metrics) -> RequestMetrics:
    """Measures every request `app` routes (the composition root's one line); returns the
    instruments for an endpoint that bypasses the middleware stack."""
    instruments = RequestMetrics(metrics)
    app.add_middleware(_Measured, instruments=instruments, route=None)
    return instruments


class _Measured:
    def __init__(self, app: ASGIApp, instruments: RequestMetrics, route: str | None) -> None:
        self._app = app
        self._instruments = instruments
        self._route = route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app raises before answering

        async def send_measured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_measured)
        finally:
            self._instruments.observe(
                route=self._route or route_template(scope),
                method=scope["method"],
                status=status,
                seconds=time.perf_counter() - started,
            )


def route_template(scope: Scope) -> str:
    """The template of the route that handled the request (after routing filled the scope)."""
    route = scope.get("route")  # FastAPI's routes put themselves here
    if route is None:
        route = _starlette_route(scope)
    if route is None:
        return UNMATCHED
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template or UNMATCHED


def _starlette_route(scope: Scope) -> BaseRoute | None:
    """A plain Starlette route (or a 405 from one) leaves no trace in the scope: match again."""
    routes: list[BaseRoute] = getattr(scope.get("router"), "routes", [])
    for route in routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            return route
    return None
