"""/healthz, /readyz and /metrics, after a mix of webhooks; labels stay bounded."""

import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from smsbus.ingest.testing import sample

pytestmark = pytest.mark.integration


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_health_and_readiness(ingest) -> None:
    healthz = await ingest.client.get("/healthz")
    assert (healthz.status_code, healthz.json()) == (200, {"status": "ok"})
    readyz = await ingest.client.get("/readyz")
    assert (readyz.status_code, readyz.json()["checks"]) == (200, {"kafka": "ok"})


async def test_metrics_count_every_outcome(ingest) -> None:
    message = sample("v4", "message.received").body()
    await ingest.post(message, ingest.sign(message))
    await ingest.post(message, ingest.sign(message, key="unknown"))
    await ingest.post(message, ingest.sign(message, age=900))
    await ingest.post(b"{", ingest.sign(b"{"))
    await ingest.post(b"x" * (1024 * 1024 + 1), {})

    response = await ingest.client.get("/metrics")
    assert response.status_code == 200
    found = _samples(response.text)

    def value(name: str, **labels: str) -> float:
        return found.get((name, tuple(sorted(labels.items()))), 0.0)

    webhooks = "smsbus_ingest_webhooks_total"
    assert value(webhooks, type="message.received", outcome="published") == 1
    assert value(webhooks, type="unknown", outcome="unauthorized") == 2
    assert value(webhooks, type="unknown", outcome="quarantined") == 1
    assert value(webhooks, type="unknown", outcome="too_large") == 1
    failures = "smsbus_ingest_signature_failures_total"
    assert value(failures, reason="signature_mismatch") == 1
    assert value(failures, reason="stale_timestamp") == 1
    publishes = sum(
        v
        for (name, _), v in found.items()
        if name == "smsbus_ingest_publish_duration_seconds_count"
    )
    assert publishes == 2  # the event and the quarantined body
    assert value("smsbus_ingest_request_duration_seconds_count", outcome="unauthorized") == 2
    assert value("smsbus_ingest_request_body_bytes_count") == 5
    assert value("smsbus_ingest_requests_in_flight") == 0

    # The test's own topic names carry random hex, which may happen to hold seven digits.
    labels = {v for (_, pairs), _ in found.items() for _, v in pairs} - set(ingest.topics.values())
    assert not [label for label in labels if re.search(r"\d{7,}", label)], (
        "an id or number as a label"
    )


async def test_only_post_reaches_the_webhook_endpoint(ingest) -> None:
    assert (await ingest.client.get("/webhooks/openphone")).status_code == 405
    assert (await ingest.published()) == {topic: [] for topic in ingest.topics}
