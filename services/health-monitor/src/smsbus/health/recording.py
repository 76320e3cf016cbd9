"""Recording a decision, in the caller's transaction: the check's outcome, its result event
(outbox) and, on a status transition, the alert to deliver. Every path that ends a check (the
message and result consumers, the deadline sweeper) goes through `record`.

The caller holds the check's row lock and has seen it pending: a check is decided once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.health.domain.alerts import AlertKind, alert_body, transition
from smsbus.health.domain.checks import Check, Decision, decided
from smsbus.health.domain.status import Health, Summary, status_of
from smsbus.health.events import result_envelope
from smsbus.health.observability import HealthMetrics
from smsbus.health.store import alerts as alert_store
from smsbus.health.store import checks as store
from smsbus.runtime.outbox import add_to_outbox

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecordingConfig:
    checks_topic: str
    failures_before_alert: int
    alerts_deliverable: bool
    """False: no alert webhook is configured; alerts are recorded as `skipped`."""


@dataclass(frozen=True)
class Recorded:
    check: Check
    decision: Decision
    summary: Summary
    health: Health
    alert: AlertKind | None


async def record(
    *, session: AsyncSession, check: Check, decision: Decision, config: RecordingConfig
) -> Recorded:
    await store.lock_decisions(session=session)
    before = await store.summary(session=session)
    after = before.after(decision)
    final = decided(check, decision)
    await store.save_decision(session=session, check=final)
    await add_to_outbox(session, result_envelope(final), topic=config.checks_topic)
    threshold = config.failures_before_alert
    health = status_of(after, failures_before_alert=threshold)
    kind = transition(status_of(before, failures_before_alert=threshold), health)
    if kind is not None:
        await alert_store.add(
            session=session,
            kind=kind,
            check_id=final.id,
            payload=alert_body(
                kind, check=final, summary=after, health=health, now=decision.finished_at
            ),
            status="pending" if config.alerts_deliverable else "skipped",
            now=decision.finished_at,
        )
    return Recorded(final, decision, after, health, kind)


def observe(recorded: Recorded, *, config: RecordingConfig, metrics: HealthMetrics | None) -> None:
    """After the commit: the decision in metrics and logs."""
    check = recorded.check
    if recorded.decision.outcome == "passed":
        logger.info(
            "canary %s passed (%s) in %.2fs",
            check.id,
            check.event_type,
            check.round_trip_seconds or 0.0,
        )
    else:
        logger.warning("canary %s failed at %s: %s", check.id, check.stage, check.reason)
    if recorded.alert is not None:
        logger.warning("pipeline status now %s: %s recorded", recorded.health, recorded.alert)
    if metrics is None:
        return
    metrics.decided(recorded.decision)
    metrics.status(recorded.summary, recorded.health)
    if recorded.alert is not None and not config.alerts_deliverable:
        metrics.alerts.labels(kind=recorded.alert, outcome="skipped").inc()
