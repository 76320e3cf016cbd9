"""How a service's app is served in production: one uvicorn process on the service's port,
its settings read from the environment and its logging configured by them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import uvicorn
from fastapi import FastAPI

from smsbus.runtime.heap import settle_startup_heap
from smsbus.runtime.logging import configure_logging


class Served(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def log_level(self) -> str: ...


SettingsT = TypeVar("SettingsT", bound=Served)


def app_from_env(
    read: Callable[[], SettingsT], create_app: Callable[[SettingsT], FastAPI], *, service: str
) -> FastAPI:
    """The app built from the environment's settings (`read`, the settings class), logging
    configured first: what `uvicorn --factory` and `python -m` serve."""
    settings = read()
    configure_logging(service=service, level=settings.log_level)
    return create_app(settings)


def serve_from_env(
    read: Callable[[], SettingsT], create_app: Callable[[SettingsT], FastAPI], *, service: str
) -> None:
    """`python -m smsbus.<service>`: the app from the environment, on its settings' address."""
    settings = read()
    configure_logging(service=service, level=settings.log_level)
    serve(create_app(settings), host=settings.host, port=settings.port)


def serve(app: FastAPI, *, host: str, port: int) -> None:
    """Runs `app` until SIGTERM; in-flight requests get 20 s to finish."""
    settle_startup_heap()
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,  # the services log what they do; a line per request is noise
        log_config=None,  # keep the JSON logging configure_logging() set up
        timeout_graceful_shutdown=20,
    )
