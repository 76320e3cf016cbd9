"""Run the real simulator inside a test's event loop.

    async with running_simulator(speed=1000) as sim:
        async with sim.client() as openphone:
            await openphone.post("/v1/messages", json={...})
        await sim.inbound_message(sender="+15555550142", to=sim.lines[0], text="STOP")
        await sim.settle()

Unless told otherwise it registers no seeded webhook (nothing listens on 8080 in a test).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp

from smsbus.openphone_sim.app import create_app
from smsbus.openphone_sim.settings import SimSettings

STARTUP_TIMEOUT = 10.0


@dataclass
class RunningSimulator:
    base_url: str
    api_key: str
    settings: SimSettings
    admin: httpx.AsyncClient
    """A client on `base_url` for the `/sim/*` admin API (which needs no key)."""

    @property
    def lines(self) -> list[str]:
        """Our workspace's numbers (E.164), in settings order."""
        return list(self.settings.lines)

    @property
    def signing_key(self) -> str:
        return self.settings.signing_key

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """A REST client with the API key set (the caller closes it)."""
        kwargs.setdefault("trust_env", False)
        return httpx.AsyncClient(
            base_url=self.base_url, headers={"Authorization": self.api_key}, **kwargs
        )

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.admin.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    async def inbound_message(self, *, sender: str, to: str, text: str) -> dict[str, Any]:
        """A text from `sender` arrives on our line `to` (fires message.received)."""
        answer: dict[str, Any] = await self._call(
            "POST", "/sim/messages/inbound", json={"from": sender, "to": to, "text": text}
        )
        return answer

    async def inbound_call(
        self, *, sender: str, to: str, outcome: str = "answered", **extra: Any
    ) -> dict[str, Any]:
        body = {"from": sender, "to": to, "outcome": outcome, **extra}
        answer: dict[str, Any] = await self._call("POST", "/sim/calls/inbound", json=body)
        return answer

    async def add_webhook(
        self, url: str, *, generation: str = "v4", **extra: Any
    ) -> dict[str, Any]:
        """Registers a webhook as the app would (any generation); the answer carries its key."""
        body = {"url": url, "generation": generation, **extra}
        answer: dict[str, Any] = await self._call("POST", "/sim/webhooks", json=body)
        return answer

    async def faults(self, **faults: Any) -> dict[str, Any]:
        """Replaces the whole fault set (no arguments: no faults)."""
        answer: dict[str, Any] = await self._call("POST", "/sim/faults", json=faults)
        return answer

    async def messages(self, **filters: str) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = (await self._call("GET", "/sim/messages", params=filters))[
            "data"
        ]
        return answer

    async def requests(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = (await self._call("GET", "/sim/requests"))["data"]
        return answer

    async def request_counts(
        self, *, since: float | None = None, agent: str | None = None
    ) -> dict[str, int]:
        """REST requests per endpoint since `since` (epoch seconds) from `agent` when given."""
        params = {key: str(value) for key, value in (("since", since), ("agent", agent)) if value}
        answer = await self._call("GET", "/sim/requests/counts", params=params)
        counts: dict[str, int] = answer["data"]
        return counts

    async def deliveries(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = (await self._call("GET", "/sim/deliveries"))["data"]
        return answer

    async def clock(self, **change: Any) -> dict[str, Any]:
        """`set` (ISO time), `advance` (seconds) and/or `frozen` (bool)."""
        answer: dict[str, Any] = await self._call("POST", "/sim/clock", json=change)
        return answer

    async def settle(self, within: float = 30.0) -> None:
        """Waits until no status change or webhook attempt is running or due."""
        answer = await self._call(
            "POST", "/sim/settle", json={"timeout": within}, timeout=within + 5
        )
        if not answer["settled"]:
            raise TimeoutError(f"simulator still busy after {within}s: {answer}")

    async def reset(self, seed: int | None = None) -> None:
        """Back to the seeded workspace; `seed` replays a fresh simulator's ids and faults."""
        await self._call("POST", "/sim/reset", json={"seed": seed})


class _QuietServer(uvicorn.Server):
    """The test runner owns the process's signals: uvicorn must not take SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(app: ASGIApp, *, name: str = "asgi-app") -> AsyncIterator[str]:
    """Serves an ASGI app on 127.0.0.1 (a port the OS picks) inside the current event loop and
    yields its base URL; also what tests use for a webhook receiver."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it; without it every answer waits ~40 ms on Nagle.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[listener]), name=name)
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError(f"{name} stopped while starting")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
        listener.close()


@contextlib.asynccontextmanager
async def running_simulator(**overrides: Any) -> AsyncIterator[RunningSimulator]:
    """Starts the simulator under uvicorn on 127.0.0.1 (a free port) in the current event loop.

    `overrides` are SimSettings fields (`speed=1000`, `webhook_urls=[...]`, `seed=7`, …); unless
    given, no seeded webhook is registered (nothing listens on ingest's port in a test) and no
    run seed is taken from the environment.
    """
    overrides.setdefault("webhook_urls", [])
    # `make test` exports the local stack's SMSBUS_SIM_RUN_SEED (new at every start, for its own
    # simulator); a test's simulator is seeded by `seed` alone unless the test says otherwise.
    overrides.setdefault("run_seed", None)
    settings = SimSettings(**overrides)
    async with (
        serving(create_app(settings), name="openphone-sim") as base_url,
        httpx.AsyncClient(base_url=base_url, timeout=60.0, trust_env=False) as admin,
    ):
        yield RunningSimulator(
            base_url=base_url, api_key=settings.api_keys[0], settings=settings, admin=admin
        )
