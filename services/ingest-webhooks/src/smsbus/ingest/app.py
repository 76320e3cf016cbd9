"""The composition root: settings → broker, metrics, routes; the broker runs in the lifespan.

`create_app(settings)` builds one app (tests, the single-process `python -m smsbus.ingest`);
`app_from_env()` is the factory a multi-process server imports in each worker:

    uvicorn --factory smsbus.ingest.app:app_from_env --workers 4 --port 8080 --no-access-log
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from smsbus.ingest.api import WEBHOOK_PATH, WebhookIngest, webhook_route
from smsbus.ingest.fast_path import IngestAPI
from smsbus.ingest.metrics import IngestMetrics
from smsbus.ingest.settings import Settings
from smsbus.runtime.asyncapi import asyncapi_router
from smsbus.runtime.health import health_router, kafka_check
from smsbus.runtime.heap import settle_startup_heap
from smsbus.runtime.http_metrics import instrument_requests
from smsbus.runtime.kafka import make_broker, start_or_keep_trying
from smsbus.runtime.logging import configure_logging
from smsbus.runtime.metrics import Metrics, metrics_router

SERVICE = "ingest-webhooks"
METRICS_NAME = "ingest"


def create_app(settings: Settings, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """The app; `clock` (Unix seconds) decides signature freshness and recorded_at."""
    # Batches up to 256 KiB: with the default 16 KiB a partition's batch fills at a dozen
    # webhooks and every further publish waits a round trip for it to drain (bench/README.md).
    broker = make_broker(settings.kafka_bootstrap, client_id=SERVICE, max_batch_size=256 * 1024)
    metrics = Metrics(METRICS_NAME)
    ingest = WebhookIngest(
        broker=broker,
        keys=settings.verification_keys(),
        settings=settings,
        metrics=IngestMetrics.create(metrics),
        clock=clock,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Serves at once: while Kafka is away every webhook gets 503 and /readyz says why.
        connecting = await start_or_keep_trying(broker)
        try:
            yield
        finally:
            if connecting is not None:
                connecting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await connecting
            await broker.stop()

    app = IngestAPI(title=f"smsbus {SERVICE}", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.webhook = instrument_requests(app, metrics).middleware(ingest, route=WEBHOOK_PATH)
    app.router.routes.append(webhook_route(ingest))
    app.include_router(health_router({"kafka": kafka_check(broker)}))
    app.include_router(metrics_router(metrics))
    app.include_router(asyncapi_router(SERVICE))
    return app


def app_from_env() -> FastAPI:
    """For `uvicorn --factory`: one app per worker process, ready to serve."""
    settings = Settings()
    configure_logging(service=SERVICE, level=settings.log_level)
    app = create_app(settings)
    settle_startup_heap()
    return app
