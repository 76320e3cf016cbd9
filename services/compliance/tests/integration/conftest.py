"""compliance's API in-process for its integration tests, and its import jobs followed to their end."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from smsbus.runtime.testing import eventually
from smsbus.runtime.testing_api import AUTH, AppFactory, asgi_client

from ..builders import NOW

ApiAt = Callable[..., httpx.AsyncClient]
FINAL = ("succeeded", "failed")


@pytest.fixture
def api_at(make_app: AppFactory) -> ApiAt:
    """`api_at(**settings)`: a client (all scopes) of compliance's app on the test's schema, its
    clock at NOW, no lifespan."""
    return lambda **fields: asgi_client(make_app({"clock": lambda: NOW}, **fields), headers=AUTH)


@pytest.fixture
async def api(api_at: ApiAt) -> AsyncIterator[httpx.AsyncClient]:
    async with api_at() as client:
        yield client


async def finished_job(
    api: httpx.AsyncClient, started: httpx.Response, path: str
) -> dict[str, Any]:
    """The import job a POST to `path` started (202, its Location under `path`), polled until it
    has succeeded or failed."""
    assert started.status_code == 202, started.text
    location = started.headers["location"]
    assert location == f"{path}/{started.json()['id']}"
    assert started.json()["status"] in ("queued", "running", *FINAL)

    async def ended() -> dict[str, Any] | None:
        job: dict[str, Any] = (await api.get(location)).json()
        return job if job["status"] in FINAL else None

    found: dict[str, Any] = await eventually(ended, within=60, every=0.02)
    return found
