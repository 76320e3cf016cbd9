"""The monitor's periodic work, each pass run by the runtime's loop (`repeat`): the deadline
sweep, the status gauges, the canary schedule and alert delivery."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx

from smsbus.health.alerting import AlertConfig, AlertSender
from smsbus.health.canary import Canary
from smsbus.health.domain.detection import worst_case_detection
from smsbus.health.domain.status import status_of
from smsbus.health.observability import HealthMetrics
from smsbus.health.recording import RecordingConfig
from smsbus.health.scheduler import start_if_due
from smsbus.health.settings import Settings
from smsbus.health.store import checks as store
from smsbus.health.sweeper import expire_due
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff
from smsbus.runtime.loops import repeat
from smsbus.runtime.service import Worker

logger = logging.getLogger(__name__)

STATUS_GAUGES_INTERVAL = 15.0


def workers(
    settings: Settings,
    sessions: Sessions,
    canary: Canary,
    recording: RecordingConfig,
    metrics: HealthMetrics,
    alert_http: httpx.AsyncClient,
    clock: Callable[[], datetime],
) -> dict[str, Worker]:
    """The loops to run; the schedule only when canaries are enabled, alert delivery only
    when there is somewhere to deliver to."""
    tick = settings.sweep_interval_seconds

    async def sweep() -> None:
        await expire_due(sessions=sessions, clock=clock, config=recording, metrics=metrics)

    async def gauges() -> None:
        await measure_status(sessions, metrics, settings.failures_before_alert)

    async def schedule() -> None:
        interval = timedelta(seconds=settings.interval_seconds)
        await start_if_due(sessions=sessions, canary=canary, clock=clock, interval=interval)

    loops: dict[str, Worker] = {
        "sweep": lambda: repeat(sweep, name="deadline sweep", interval=tick),
        "status-gauges": lambda: repeat(
            gauges, name="status gauges", interval=STATUS_GAUGES_INTERVAL
        ),
    }
    if settings.enabled:
        log_detection_time(settings)
        every = min(tick, settings.interval_seconds)
        loops["schedule"] = lambda: repeat(schedule, name="schedule", interval=every)
    if settings.alert_webhook_url is not None:
        alerts = AlertSender(
            sessions=sessions,
            http=alert_http,
            clock=clock,
            config=AlertConfig(
                url=settings.alert_webhook_url,
                max_attempts=settings.alert_max_attempts,
                retry=Backoff(
                    initial=settings.alert_retry_initial, maximum=settings.alert_retry_max
                ),
            ),
            metrics=metrics,
        )
        loops["alerts"] = lambda: repeat(alerts.deliver_due, name="alert delivery", interval=tick)
    return loops


async def measure_status(sessions: Sessions, metrics: HealthMetrics, threshold: int) -> None:
    """The status gauges from the table (at start, and between decisions)."""
    async with sessions() as session:
        summary = await store.summary(session=session)
    metrics.status(summary, status_of(summary, failures_before_alert=threshold))


def log_detection_time(settings: Settings) -> None:
    logger.info(
        "a canary every %.0f s, its webhook due within %.0f s, an alert after %d failures in a "
        "row: an outage is alerted within %.0f s at worst",
        settings.interval_seconds,
        settings.timeout_seconds,
        settings.failures_before_alert,
        worst_case_detection(
            interval=timedelta(seconds=settings.interval_seconds),
            timeout=timedelta(seconds=settings.timeout_seconds),
            failures_before_alert=settings.failures_before_alert,
        ).total_seconds(),
    )
