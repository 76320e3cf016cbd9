"""The example subscriber end to end (issue 14, must-show 3): a signed webhook POSTed to the real
ingest app reaches the example's FastStream handler through the real broker, typed by the
contracts package; OpenPhone delivering it again is handled once."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from example_subscriber.app import create_app
from example_subscriber.settings import Settings
from example_subscriber.store import Store

from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import running_ingest, sample, signed
from smsbus.openphone.signing import SigningKey
from smsbus.runtime.offsets import end_offsets, lag_behind
from smsbus.runtime.testing import NewTopic, eventually, unique_name

pytestmark = pytest.mark.integration

KEY = "c21zYnVzLWV4YW1wbGUtc3Vic2NyaWJlci1rZXktMDE="


async def test_a_signed_webhook_reaches_the_example_once(
    kafka_bootstrap: str, new_topic: NewTopic, tmp_path: Path
) -> None:
    messages = await new_topic("messages", partitions=3)
    ingest = IngestSettings(
        signing_keys=KEY,
        kafka_bootstrap=kafka_bootstrap,
        topic_overrides={"openphone.messages.v1": messages},
    )
    store = Store(tmp_path / "subscriber.sqlite3")
    settings = Settings(
        kafka_bootstrap=kafka_bootstrap, topic=messages, group_id=unique_name("example")
    )
    app = create_app(settings, store)
    webhook = sample("v4", "message.received")
    body = webhook.body()
    async with running_ingest(ingest) as url, httpx.AsyncClient(base_url=url) as http:
        await app.broker.start()
        try:
            for _ in range(2):  # OpenPhone retries: the same event, delivered twice
                headers = signed(body, SigningKey.parse(KEY), now=time.time())
                answer = await http.post("/webhooks/openphone", content=body, headers=headers)
                assert answer.status_code == 202, answer.text

            published = await end_offsets(kafka_bootstrap, [messages])
            assert sum(published.values()) == 2  # ingest published both deliveries

            async def both_handled() -> bool:  # the group committed past both records
                return not any(
                    (await lag_behind(kafka_bootstrap, settings.group_id, published)).values()
                )

            await eventually(both_handled, within=60)
        finally:
            await app.broker.stop()
    data = webhook.payload()["data"]["object"]
    assert store.texts() == [(data["id"], "message.received", data["from"], data["text"])]
    store.close()


def test_a_fact_seen_again_changes_nothing(tmp_path: Path) -> None:
    from smsbus.contracts import Message, make_envelope
    from smsbus.contracts.codec import decode_event

    raw = sample("v4", "message.received").payload()["data"]["object"]
    message = Message.model_validate(raw)
    at = message.created_at
    copies = [
        make_envelope(message, event_type="message.received", event_id=event_id,
                      object_id=message.id, source=source, occurred_at=at, recorded_at=at)
        for event_id, source in [("EV1", "openphone.webhook"), ("rec-1", "reconciler")]
    ]  # fmt: skip
    store = Store(tmp_path / "s.sqlite3")
    assert [store.handle_once(decode_event(c.model_dump(by_alias=True))) for c in copies] == [
        True,
        False,
    ]
    assert len(store.texts()) == 1
    store.close()


def test_its_asyncapi_names_the_contract_it_consumes(tmp_path: Path) -> None:
    """FastStream documents the handler's payload: the contracts' envelope, not an empty type."""
    store = Store(tmp_path / "s.sqlite3")
    spec = create_app(Settings(), store).schema.to_specification().to_jsonable()
    store.close()
    (message,) = spec["components"]["messages"].values()
    name = unquote(message["payload"]["$ref"].rsplit("/", 1)[1])  # `Envelope%5BMessage%5D`
    payload = spec["components"]["schemas"][name]
    assert {"event_id", "type", "dedupe_key", "data"} <= set(payload["properties"])
    assert payload["properties"]["data"]["$ref"].endswith("/Message")
    (channel,) = spec["channels"].values()
    assert channel["address"] == "openphone.messages.v1"
