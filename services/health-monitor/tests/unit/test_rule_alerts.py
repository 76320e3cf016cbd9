"""A rule's alert, as Alertmanager sends it, in the monitor's alert format (table of cases)."""

from datetime import UTC, datetime, timedelta

import pytest

from smsbus.health.domain.rule_alerts import RuleAlert, forward

STARTED = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
LABELS = {"alertname": "ConsumerLagHigh", "severity": "warning", "job": "compliance"}
SUMMARY = {"summary": "compliance is 1500 records behind", "description": "Add replicas."}


def an_alert(**changes: object) -> RuleAlert:
    fields: dict[str, object] = {
        "status": "firing",
        "labels": LABELS,
        "annotations": SUMMARY,
        "starts_at": STARTED,
        "ends_at": None,
        "fingerprint": "3d00f8755d0beab5",
    }
    return RuleAlert(**(fields | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("alert", "kind", "text", "service", "at"),
    [
        pytest.param(
            an_alert(),
            "alert",
            "smsbus WARNING ConsumerLagHigh: compliance is 1500 records behind",
            "compliance",
            STARTED,
            id="firing: severity, name and summary; at its start",
        ),
        pytest.param(
            an_alert(status="resolved", ends_at=STARTED + timedelta(minutes=20)),
            "recovered",
            "smsbus RESOLVED ConsumerLagHigh: compliance is 1500 records behind",
            "compliance",
            STARTED + timedelta(minutes=20),
            id="resolved: at its end",
        ),
        pytest.param(
            an_alert(labels={"alertname": "CanaryStale"}, annotations={}),
            "alert",
            "smsbus NONE CanaryStale: CanaryStale",
            "prometheus",
            STARTED,
            id="no severity, job or summary: the name stands in",
        ),
    ],
)
def test_the_alert_in_the_monitors_format(
    alert: RuleAlert, kind: str, text: str, service: str, at: datetime
) -> None:
    forwarded = forward(alert)
    assert forwarded.kind == kind
    body = forwarded.payload
    assert (body["text"], body["summary"] in text) == (text, True)
    assert (body["kind"], body["status"], body["source"]) == (kind, alert.status, "prometheus")
    assert (body["service"], body["at"]) == (service, at.isoformat())
    assert body["rule"]["labels"] == dict(alert.labels)
    assert body["rule"]["fingerprint"] == alert.fingerprint


def test_each_firing_and_each_resolution_is_one_alert() -> None:
    firing = forward(an_alert()).dedupe_key
    assert forward(an_alert()).dedupe_key == firing  # a repeat of the same notification
    resolved = an_alert(status="resolved", ends_at=STARTED + timedelta(minutes=1))
    assert forward(resolved).dedupe_key != firing
    again = an_alert(starts_at=STARTED + timedelta(hours=1))  # firing anew later
    assert forward(again).dedupe_key not in (firing, forward(resolved).dedupe_key)
    other = an_alert(fingerprint="58c2a3ec8f612958")
    assert forward(other).dedupe_key != firing
