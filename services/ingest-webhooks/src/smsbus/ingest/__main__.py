"""`python -m smsbus.ingest`: serve on SMSBUS_INGEST_HOST:SMSBUS_INGEST_PORT.

SMSBUS_INGEST_WORKERS > 1 runs that many processes behind the one port (each with its own
producer; the service keeps no state between requests).
"""

from __future__ import annotations

import uvicorn

from smsbus.ingest.app import SERVICE, app_from_env, create_app
from smsbus.ingest.settings import Settings
from smsbus.runtime.heap import settle_startup_heap
from smsbus.runtime.logging import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(service=SERVICE, level=settings.log_level)
    multi = settings.workers > 1
    # Several workers: each imports the factory and builds its own app.
    app = f"{app_from_env.__module__}:{app_from_env.__name__}" if multi else create_app(settings)
    settle_startup_heap()
    uvicorn.run(
        app,
        factory=multi,
        workers=settings.workers if multi else None,
        host=settings.host,
        port=settings.port,
        access_log=False,  # a log line per webhook would cost more than the webhook
        log_config=None,  # keep the JSON logging configured above
        proxy_headers=False,  # no use for client addresses; saves a middleware per request
        server_header=False,
        timeout_graceful_shutdown=20,
    )


if __name__ == "__main__":
    main()
