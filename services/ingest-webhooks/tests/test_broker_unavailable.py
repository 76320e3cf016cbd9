"""No broker, or a broker that does not acknowledge in time: 503 + Retry-After, never a 2xx."""

import httpx
import pytest

from smsbus.ingest.testing import free_port, running_ingest, sample

pytestmark = pytest.mark.integration

V4_MESSAGE = sample("v4", "message.received").body()


async def test_no_broker_at_all_gives_503_and_not_ready(make_settings, signer) -> None:
    settings = make_settings(f"127.0.0.1:{free_port()}", publish_timeout=0.5, retry_after=7)
    async with running_ingest(settings) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        accepted = await client.post(
            "/webhooks/openphone", content=V4_MESSAGE, headers=signer(V4_MESSAGE)
        )
        quarantined = await client.post("/webhooks/openphone", content=b"{", headers=signer(b"{"))
        readyz = await client.get("/readyz")
        healthz = await client.get("/healthz")
    for response in (accepted, quarantined):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "7"
        assert response.json()["error"] == "broker_unavailable"
    assert readyz.status_code == 503
    assert healthz.status_code == 200


async def test_a_publish_slower_than_the_timeout_gives_503(
    kafka_bootstrap: str, isolated_topics: dict[str, str], make_settings, signer
) -> None:
    # A topic that does not exist (auto-creation is off): the producer waits for its metadata.
    topics = isolated_topics | {"openphone.messages.v1": "ingest-test.never-created.v1"}
    settings = make_settings(kafka_bootstrap, topic_overrides=topics, publish_timeout=0.5)
    async with running_ingest(settings) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        slow = await client.post(
            "/webhooks/openphone", content=V4_MESSAGE, headers=signer(V4_MESSAGE)
        )
        body = sample("v4", "contact.updated").body()
        fine = await client.post("/webhooks/openphone", content=body, headers=signer(body))
        assert (await client.get("/readyz")).status_code == 200
    assert slow.status_code == 503
    assert slow.headers["retry-after"] == "5"
    assert fine.status_code == 202
