"""The harness every simulator test shares: a webhook receiver on loopback, and helpers that
verify what it received with the verification module ingest uses."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from smsbus.openphone.signing import SigningKey, verify
from smsbus.openphone_sim.testing import serving


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    @property
    def event_id(self) -> str:
        return str(self.payload["id"])

    @property
    def type(self) -> str:
        return str(self.payload["type"])

    @property
    def resource(self) -> dict[str, Any]:
        data: dict[str, Any] = self.payload["data"]
        found: dict[str, Any] = data.get("object") or data["resource"]
        return found

    def verifies_with(self, key: str) -> bool:
        try:
            verify(self.body, self.headers, [SigningKey.parse(key)], now=time.time())
        except Exception:
            return False
        return True


@dataclass
class Receiver:
    """Collects webhooks; answers 200 unless told to answer something else first."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: deque[int] = field(default_factory=deque)
    hangs: deque[float] = field(default_factory=deque)
    """Seconds to wait before answering, one per request, first come first served."""

    def of_type(self, event_type: str) -> list[Received]:
        return [item for item in self.received if item.type == event_type]

    @property
    def types(self) -> list[str]:
        return [item.type for item in self.received]

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        self.received.append(Received(headers=dict(request.headers), body=body))
        if self.hangs:
            await asyncio.sleep(self.hangs.popleft())
        return Response(status_code=self.answers.popleft() if self.answers else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    app = Starlette(routes=[Route("/hook", found.handle, methods=["POST"])])
    async with serving(app, name="webhook-receiver") as base_url:
        found.url = f"{base_url}/hook"
        yield found
