"""Prometheus' rule alerts, as Alertmanager's webhook sends them, turned into the monitor's own
alert format (domain/alerts.py): the receiver behind ALERT_WEBHOOK_URL gets the canary's alerts
and the rules' in one shape, `text` first (what a Slack incoming webhook shows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from smsbus.health.domain.alerts import AlertKind

RuleStatus = Literal["firing", "resolved"]


@dataclass(frozen=True)
class RuleAlert:
    """One alert of an Alertmanager notification."""

    status: RuleStatus
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime | None
    """None while firing (Alertmanager sends year 1 or a time in the future)."""
    fingerprint: str
    generator_url: str | None = None


@dataclass(frozen=True)
class Forward:
    kind: AlertKind
    dedupe_key: str
    """Fingerprint, status and start: Alertmanager repeats an alert with every change to its
    group and on every retry; each firing and each resolution is forwarded once."""
    payload: dict[str, Any]


def forward(alert: RuleAlert) -> Forward:
    name = alert.labels.get("alertname", "unnamed alert")
    severity = alert.labels.get("severity", "none")
    summary = alert.annotations.get("summary") or name
    if alert.status == "firing":
        kind: AlertKind = "alert"
        text = f"smsbus {severity.upper()} {name}: {summary}"
        at = alert.starts_at
    else:
        kind = "recovered"
        text = f"smsbus RESOLVED {name}: {summary}"
        at = alert.ends_at or alert.starts_at
    return Forward(
        kind=kind,
        dedupe_key=f"{alert.fingerprint}:{alert.status}:{alert.starts_at.isoformat()}",
        payload={
            "text": text,
            "kind": kind,
            "status": alert.status,
            "summary": summary,
            "service": alert.labels.get("job", "prometheus"),
            "at": at.isoformat(),
            "source": "prometheus",
            "rule": {
                "alertname": name,
                "severity": severity,
                "description": alert.annotations.get("description"),
                "labels": dict(alert.labels),
                "starts_at": alert.starts_at.isoformat(),
                "ends_at": alert.ends_at.isoformat() if alert.ends_at else None,
                "fingerprint": alert.fingerprint,
                "generator_url": alert.generator_url,
            },
        },
    )
