"""The composition root (`uvicorn --factory smsbus.reconciler.app:app_from_env`): what the
topics hold, recorded as seen (handlers.py), the deep and fast passes on their lanes of the
key's budget (pacing.py) and their schedules, the runs API, on the consuming-service skeleton
(runtime/service.py). The only module that knows everything."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI

from smsbus.openphone import HEADROOM, OpenPhoneClient
from smsbus.reconciler.api import api_router
from smsbus.reconciler.api.deps import RECONCILER
from smsbus.reconciler.fastpass import FastPass, run_fast_periodically
from smsbus.reconciler.handlers import routes
from smsbus.reconciler.observability import ReconcilerMetrics
from smsbus.reconciler.pacing import pass_clients
from smsbus.reconciler.runner import Reconciler, run_periodically
from smsbus.reconciler.settings import SERVICE, Settings
from smsbus.reconciler.store.seen import forgotten
from smsbus.runtime.budget import key_budget
from smsbus.runtime.service import About, Api, Foundation, consuming_service
from smsbus.runtime.serving import app_from_env as app_from_env_with

ABOUT = About(
    "smsbus reconciler",
    "Pulls OpenPhone's history over the REST API and emits synthetic events for whatever the "
    "webhooks missed.",
)


def create_app(
    settings: Settings,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    openphone: OpenPhoneClient | None = None,
) -> FastAPI:
    """The service; `clock` and `openphone` replace the wall clock and the client built from
    the settings (tests)."""
    base = Foundation.create(settings, service=SERVICE, pool_size=5)
    metrics = ReconcilerMetrics.create(base.metrics)
    budget = key_budget(base.engine, settings, headroom=HEADROOM, metrics=base.metrics)
    deep, fast = (openphone, openphone) if openphone else pass_clients(settings, budget, metrics)
    topics = base.topics()
    reconciler = Reconciler(
        engine=base.engine, sessions=base.sessions, clock=clock, metrics=metrics, client=deep,
        config=settings.run_config(topics),
    )  # fmt: skip
    fast_pass = FastPass(
        engine=base.engine, sessions=base.sessions, clock=clock, metrics=metrics, client=fast,
        config=settings.fast_config(topics),
    )  # fmt: skip
    first = settings.first_run_delay_seconds
    schedules = {
        "schedule": lambda: run_periodically(
            reconciler, interval=settings.interval_seconds, first_delay=first
        ),
        "fast-pass": lambda: run_fast_periodically(
            fast_pass, interval=settings.fast_interval_seconds, first_delay=first
        ),
    }
    return consuming_service(
        base,
        about=ABOUT,
        handlers=routes(clock),
        api=Api(api_router(), writes="operations", installs=[RECONCILER.installer(reconciler)]),
        workers=schedules if settings.schedule else {},
        aged=[forgotten(settings.memory)],
        closing=[reconciler.close, *([] if openphone else [deep.aclose, fast.aclose])],
    )


def app_from_env() -> FastAPI:
    return app_from_env_with(Settings, create_app, service=SERVICE)
