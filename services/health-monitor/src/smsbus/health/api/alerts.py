"""Alerts: what the monitor forwarded or is forwarding to the alert webhook, and Alertmanager's
receiver (Prometheus' rule alerts join the canary's, in the monitor's format)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from smsbus.health.api.deps import MonitorDep
from smsbus.health.api.schemas import (
    AlertList,
    AlertmanagerAlert,
    AlertmanagerNotification,
    AlertOut,
    Forwarded,
)
from smsbus.health.domain.rule_alerts import RuleAlert, forward
from smsbus.health.store import alerts as store
from smsbus.runtime.db import SessionDep

router = APIRouter(tags=["alerts"])


@router.post("/alerts/alertmanager", response_model=Forwarded)
async def receive_from_alertmanager(
    notification: AlertmanagerNotification, monitor: MonitorDep, session: SessionDep
) -> Forwarded:
    """Alertmanager's webhook receiver (deploy/alertmanager): each firing and each resolved
    alert is queued once for the alert webhook, in the monitor's format, and delivered with the
    canary's retries. Answered once committed, so Alertmanager retries what was not."""
    now = monitor.clock()
    forwarded = 0
    async with session.begin():
        for alert in notification.alerts:
            found = forward(_rule_alert(alert))
            forwarded += await store.add_forwarded(
                session=session,
                kind=found.kind,
                dedupe_key=found.dedupe_key,
                payload=found.payload,
                status="pending" if monitor.alerts_deliverable else "skipped",
                now=now,
            )
    return Forwarded(forwarded=forwarded, duplicates=len(notification.alerts) - forwarded)


@router.get("/alerts", response_model=AlertList)
async def list_alerts(session: SessionDep, limit: int = Query(20, ge=1, le=500)) -> AlertList:
    """The most recent alerts (the canary's and the rules'), newest first."""
    rows = await store.listing(session=session, limit=limit)
    # The row's columns are the wire's, but for the payload: only its text is shown.
    return AlertList(
        alerts=[
            AlertOut.model_validate(row | {"text": str(row["payload"].get("text", ""))})
            for row in rows
        ]
    )


def _rule_alert(alert: AlertmanagerAlert) -> RuleAlert:
    return RuleAlert(
        status=alert.status,
        labels=alert.labels,
        annotations=alert.annotations,
        starts_at=alert.startsAt,
        ends_at=_end(alert.startsAt, alert.endsAt) if alert.status == "resolved" else None,
        fingerprint=alert.fingerprint,
        generator_url=alert.generatorURL or None,
    )


def _end(starts_at: datetime, ends_at: datetime | None) -> datetime | None:
    """Alertmanager sends year 1 for an alert with no end."""
    return ends_at if ends_at is not None and ends_at >= starts_at else None
