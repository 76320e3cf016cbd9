"""The skeleton of a consuming service: everything its app.py would otherwise repeat.

A service's app.py builds a `Foundation` (engine, sessions, broker, metrics), its own parts on
top of it (handlers, workers, API state), and hands them to `consuming_service`, which adds
what every consuming service runs alike:

- the consumer of the topics the registry routes to the service's handlers (routes.py),
- the outbox relay, the Kafka connection (retried while Kafka is away), the lag and
  dead-letter gauges, the pruning of old inbox and published outbox rows and of the service's
  own `aged` tables (pruning.py),
- the lifespan: those loops and the service's workers started, then stopped last-first, the
  broker stopped, the service's `closing` callables awaited, the engine disposed,
- the API behind tokens (auth.py), /healthz and /readyz, /metrics, /asyncapi.json and the
  HTTP request metrics.

    base = Foundation.create(settings, service=SERVICE)
    return consuming_service(
        base,
        about=About("smsbus reconciler", "Pulls OpenPhone's history …"),
        handlers=routes(clock),
        api=Api(api_router(), writes="operations"),
        workers={"schedule": reconciler.run},
    )
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import dlq_topic, handled_by, route_for
from smsbus.runtime.asyncapi import asyncapi_router
from smsbus.runtime.auth import ApiTokens, Scope, protect
from smsbus.runtime.background import Background
from smsbus.runtime.consumer import Consumer, batch_limits
from smsbus.runtime.db import Sessions, install_sessions, make_engine, make_sessions
from smsbus.runtime.health import consumer_checks, health_router
from smsbus.runtime.http_metrics import instrument_requests
from smsbus.runtime.kafka import make_broker, start_when_reachable
from smsbus.runtime.metrics import Metrics, metrics_router
from smsbus.runtime.offsets import watch_consumer_lag, watch_dead_letters
from smsbus.runtime.pruning import Aged, Retention, prune_forever
from smsbus.runtime.relay import OutboxRelay
from smsbus.runtime.routes import Routes, subscriptions
from smsbus.runtime.settings import ConsumingSettings

Worker = Callable[[], Coroutine[Any, Any, None]]
"""Starts one of the service's own loops; it runs until cancelled."""


@dataclass(frozen=True)
class Foundation:
    """What a consuming service's parts are built on."""

    service: str
    settings: ConsumingSettings
    engine: AsyncEngine
    sessions: Sessions
    broker: KafkaBroker
    metrics: Metrics

    @classmethod
    def create(
        cls,
        settings: ConsumingSettings,
        *,
        service: str,
        metrics_name: str | None = None,
        **engine_options: Any,
    ) -> Foundation:
        """`metrics_name` prefixes the metrics (`smsbus_<name>_…`; the service's name by
        default); `engine_options` go to the connection pool."""
        engine = make_engine(settings.database_url, schema=settings.db_schema, **engine_options)
        return cls(
            service=service,
            settings=settings,
            engine=engine,
            sessions=make_sessions(engine),
            broker=make_broker(settings.kafka_bootstrap, client_id=service),
            metrics=Metrics(metrics_name or service),
        )

    def topics(self) -> dict[str, str]:
        """Registry topic → the topic actually read, for each topic the service consumes."""
        return {name: self.settings.topic(name) for name in self.consumed()}

    def consumed(self) -> list[str]:
        """The registry topics the service consumes (those of the types routed to it)."""
        return sorted({route_for(kind).topic for kind in handled_by(self.service)})


@dataclass(frozen=True)
class About:
    """The OpenAPI title and description."""

    title: str
    description: str


@dataclass(frozen=True)
class Api:
    """The service's own routes, all behind a token: `writes` is the scope a write needs; the
    paths in `reads` are queries sent as POST that a read token may call."""

    router: APIRouter
    writes: Scope
    reads: frozenset[str] = frozenset()
    installs: Sequence[Callable[[FastAPI], None]] = field(default=())
    """Put the service's state where its routes find it (app.state)."""


def consuming_service(
    base: Foundation,
    *,
    about: About,
    handlers: Routes,
    api: Api,
    workers: Mapping[str, Worker] | None = None,
    aged: Sequence[Aged] = (),
    closing: Sequence[Callable[[], Awaitable[object]]] = (),
) -> FastAPI:
    """The app of a consuming service (see the module's docstring)."""
    settings, broker, engine, metrics = base.settings, base.broker, base.engine, base.metrics
    tokens = ApiTokens.parse(settings.api_tokens)  # refuses to start without tokens
    topics = subscriptions(base.service, handlers, settings.topic)
    consumer = Consumer(
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.group_id,
        topics=topics,
        routes=handlers,
        sessions=base.sessions,
        broker=broker,
        metrics=metrics,
        limits=batch_limits(settings),
        client_id=base.service,
    )
    relay = OutboxRelay(engine=engine, broker=broker, metrics=metrics, poll_interval=1.0)
    retention = Retention(
        inbox=timedelta(days=settings.inbox_keep_days),
        outbox=timedelta(hours=settings.outbox_keep_hours),
        more=tuple(aged),
    )

    def lag() -> Coroutine[Any, Any, None]:
        return watch_consumer_lag(
            bootstrap=settings.kafka_bootstrap,
            group_id=settings.group_id,
            topics=topics,
            metrics=metrics,
            interval=settings.lag_poll_seconds,
        )

    def dlq_gauge() -> Coroutine[Any, Any, None]:
        return watch_dead_letters(
            bootstrap=settings.kafka_bootstrap,
            topics=[dlq_topic(topic, settings.group_id) for topic in topics],
            metrics=metrics,
            interval=settings.dlq_poll_interval,
        )

    loops: dict[str, Worker] = {
        "kafka": lambda: start_when_reachable(broker),
        "consumer": consumer.run,
        "outbox-relay": relay.run,
        "lag-gauge": lag,
        "dlq-gauge": dlq_gauge,
        "pruning": lambda: prune_forever(
            engine, retention, interval=settings.prune_interval, metrics=metrics
        ),
        **(workers or {}),
    }

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background = Background()
        for name, loop in loops.items():
            background.start(loop(), f"{base.service}-{name}")
        try:
            yield
        finally:
            await background.stop()
            await broker.stop()
            for close in closing:
                await close()
            await engine.dispose()

    app = FastAPI(title=about.title, description=about.description, lifespan=lifespan)
    install_sessions(app, base.sessions)
    for install in api.installs:
        install(app)
    protect(app, api.router, tokens, writes=api.writes, reads=api.reads)
    app.include_router(health_router(consumer_checks(broker, engine, consumer)))
    app.include_router(metrics_router(metrics))
    app.include_router(asyncapi_router(base.service))
    instrument_requests(app, metrics)
    return app
