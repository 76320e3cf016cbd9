"""ASGI middleware in front of the REST API: it records every request with its answer and who
asked (User-Agent, a digest of the key) for `GET /sim/requests`, enforces the per-key rate limit
and injects the REST faults.

It sits outside FastAPI's routing so it sees every answer, 401s and 404s included. Faults and
the rate limit only touch requests with a valid key: a bad key always gets its 401.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smsbus.openphone_sim.clock import iso
from smsbus.openphone_sim.errors import ApiError
from smsbus.openphone_sim.faults import rest_fault
from smsbus.openphone_sim.ratelimit import RateLimiter
from smsbus.openphone_sim.simulator import Simulator

REST_PREFIXES = ("/v1/", "/webhooks")


def _decoded(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode(errors="replace")


class RestTraffic:
    def __init__(self, app: ASGIApp, *, simulator: Simulator) -> None:
        self._app = app
        self._sim = simulator
        self._limiter = RateLimiter(simulator.settings.rate_limit_per_second)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(REST_PREFIXES):
            await self._app(scope, receive, send)
            return
        started = time.time()
        request_body = await _read_body(receive)
        answer: dict[str, Any] = {"status": None, "chunks": []}

        async def replay() -> Message:
            return {"type": "http.request", "body": request_body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["chunks"].append(message.get("body", b""))
            await send(message)

        await self._handle(scope, replay, capture)
        headers = dict(scope["headers"])
        key = headers.get(b"authorization", b"")
        self._sim.record_request(
            {
                "method": scope["method"],
                # Who asked: the caller's User-Agent and a digest naming its key (never the key).
                "agent": headers.get(b"user-agent", b"").decode(errors="replace"),
                "key": hashlib.sha256(key).hexdigest()[:12] if key else None,
                "path": path,
                "query": scope.get("query_string", b"").decode(errors="replace"),
                "body": _decoded(request_body),
                "status": answer["status"],
                "answer": _decoded(b"".join(answer["chunks"])),
                "at": iso(self._sim.now()),
                # Real (epoch) seconds it arrived: rates per second are counted in real time.
                "wall": started,
            }
        )

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = dict(scope["headers"]).get(b"authorization", b"").decode(errors="replace")
        if key not in self._sim.settings.api_keys:
            await self._app(scope, receive, send)
            return
        if not self._limiter.allow(key):
            retry = str(math.ceil(self._limiter.retry_after()))
            error = ApiError(429, "Rate limit exceeded: 10 requests per second per API key")
            await error.response(headers={"Retry-After": retry})(scope, receive, send)
            return
        self._sim.rest_requests_since_faults += 1
        fault = rest_fault(
            self._sim.faults,
            seed=self._sim.fault_seed(),
            request_number=self._sim.rest_requests_since_faults,
        )
        if fault.slow_seconds:
            await asyncio.sleep(fault.slow_seconds)
        if fault.status is None:
            await self._app(scope, receive, send)
            return
        error = ApiError(fault.status, "Injected by the simulator's fault settings")
        if self._after_send(scope, fault.status):
            await self._app(scope, receive, _discard)
        headers = {"Retry-After": "1"} if fault.status == 429 else None
        await error.response(headers=headers)(scope, receive, send)

    def _after_send(self, scope: Scope, status: int) -> bool:
        return (
            self._sim.faults.rest_error_after_send
            and status >= 500
            and scope["method"] == "POST"
            and scope["path"].rstrip("/") == "/v1/messages"
        )


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _discard(_: Message) -> None:
    return None
