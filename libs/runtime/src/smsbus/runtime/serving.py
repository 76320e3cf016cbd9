"""How a service's app is served in production: one uvicorn process on the service's port."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from smsbus.runtime.heap import settle_startup_heap


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
