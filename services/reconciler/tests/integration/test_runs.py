"""Runs against real Kafka, PostgreSQL, ingest and the OpenPhone simulator: what the webhooks
missed comes out once, as the webhook would have had it; what they brought never does."""

import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from smsbus.ingest.envelope import webhook_envelope
from smsbus.ingest.parsing import ParsedWebhook
from smsbus.reconciler.domain.synthetic import synthetic_event_id
from smsbus.runtime.kafka import make_broker, publish_event

from .harness import CALLS, GRACE, MESSAGES, OVERLAP, Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FAILED_NUMBER, UNDELIVERED_NUMBER = "+15555550198", "+15555550199"
DAY = 24 * 3600.0


async def test_a_run_emits_exactly_the_missed_facts_once(stack: Stack) -> None:
    # Webhooks flow: ingest publishes these facts, the reconciler sees them.
    seen_in = await stack.inbound("+14155550101", "hi")
    seen_out = await stack.send("+14155550102")
    seen_call = await stack.call("+14155550103")
    await stack.sim.settle()
    # Webhooks are lost from here on; the facts are only visible through REST.
    await stack.webhooks(on=False)
    stop = await stack.inbound("+14155550104", "STOP")
    delivered = await stack.send("+14155550105")
    failed = await stack.send(FAILED_NUMBER)
    undelivered = await stack.send(UNDELIVERED_NUMBER)
    missed = await stack.call("+14155550106", "missed")
    voicemail = await stack.call("+14155550107", "voicemail")
    recorded = await stack.call("+14155550108", recording=True)
    await stack.sim.settle()
    stack.clock.advance(2 * GRACE)

    run = await stack.run()

    expected = {
        f"message.received:{stop}", f"message.delivered:{delivered}",
        f"message.failed:{failed}", f"message.undelivered:{undelivered}",
        f"call.completed:{missed}", f"call.completed:{voicemail}",
        f"call.completed:{recorded}", f"call.recording.completed:{recorded}",
    }  # fmt: skip
    assert run["status"] == "succeeded", run
    assert run["missing"] == {
        "call.completed": 3, "call.recording.completed": 1, "message.delivered": 1,
        "message.failed": 1, "message.received": 1, "message.undelivered": 1,
    }  # fmt: skip
    assert (run["lines_checked"], run["conversations_checked"]) == (2, 10)
    assert (run["messages_checked"], run["calls_checked"]) == (6, 4)
    events = await stack.events()
    synthetic = [(key, e) for key, e in events if e.source == "reconciler"]
    assert sorted(e.dedupe_key for _, e in synthetic) == sorted(expected)
    for key, envelope in synthetic:
        assert envelope.event_id == synthetic_event_id(envelope.dedupe_key)
        assert envelope.correlation_id == run["id"]
        on_calls = envelope.type.startswith("call.")
        topic = stack.consumed[CALLS if on_calls else MESSAGES]
        assert envelope in [e for k, e in await _on(stack, topic) if k == key]
    stop_copy = next(e for _, e in synthetic if e.dedupe_key == f"message.received:{stop}")
    assert (stop_copy.data.text, stop_copy.data.from_) == ("STOP", "+14155550104")
    assert dict(synthetic)[b"+14155550104"].type == "message.received"  # keyed like ingest
    webhook_keys = {e.dedupe_key for _, e in events if e.source == "openphone.webhook"}
    assert {
        f"message.received:{seen_in}",
        f"message.delivered:{seen_out}",
        f"call.completed:{seen_call}",
    } <= webhook_keys
    assert not webhook_keys & expected

    # Idempotent: the same window again finds nothing missing and emits nothing.
    again = await stack.run()
    assert (again["status"], again["missing"], again["emitted"]) == ("succeeded", {}, 0)
    assert again["window_start"] < run["window_end"]  # it did look at the same stretch
    assert len(await stack.synthetic()) == len(expected)

    # The lost webhook of a fact turns up after its synthetic copy: nothing is re-emitted.
    late = await stack.openphone.get_message(stop)
    webhook = webhook_envelope(
        ParsedWebhook("message.received", "EVlate", late.created_at, late, "v4"),
        recorded_at=stack.clock(),
    )
    broker = make_broker(stack.bootstrap, client_id="reconciler-tests")
    await broker.start()
    try:
        await publish_event(broker, webhook, topic=stack.consumed[MESSAGES])
    finally:
        await broker.stop()
    stack.clock.advance(60)
    third = await stack.run()
    assert (third["status"], third["emitted"]) == ("succeeded", 0)
    assert len(await stack.synthetic()) == len(expected)
    async with stack.engine.connect() as conn:
        source = await conn.scalar(
            text("SELECT source FROM seen_events WHERE dedupe_key = :k"),
            {"k": f"message.received:{stop}"},
        )
    assert source == "reconciler"

    listed = (await stack.api.get("/runs", params={"limit": 2})).json()["data"]
    assert [r["id"] for r in listed] == [third["id"], again["id"]]
    assert (await stack.api.get(f"/runs/{run['id']}")).json() == run
    assert (await stack.api.get("/runs/nope")).status_code == 404
    metrics = (await stack.api.get("/metrics")).text
    assert 'smsbus_reconciler_runs_total{outcome="succeeded"} 3.0' in metrics
    assert 'smsbus_reconciler_missing_events_total{event_type="call.completed"} 3.0' in metrics
    assert 'smsbus_reconciler_checked_total{kind="messages"} ' in metrics
    assert "smsbus_reconciler_run_duration_seconds_count 3.0" in metrics
    assert "smsbus_reconciler_last_success_timestamp_seconds " in metrics
    assert "+1415" not in metrics


async def _on(stack: Stack, topic: str) -> list[tuple[bytes, object]]:
    return [(k, e) for k, e in await stack.events({"t": topic})]


async def test_a_fact_younger_than_the_grace_period_waits_for_a_later_run(stack: Stack) -> None:
    await stack.webhooks(on=False)
    young = await stack.inbound("+14155550121", "STOP")
    await stack.sim.settle()

    first = await stack.run()
    assert (first["status"], first["emitted"]) == ("succeeded", 0)
    assert await stack.synthetic() == []

    stack.clock.advance(2 * GRACE)
    later = await stack.run()
    assert (later["status"], later["missing"]) == ("succeeded", {"message.received": 1})
    assert [e.dedupe_key for e in await stack.synthetic()] == [f"message.received:{young}"]


async def test_after_an_outage_longer_than_the_memory_a_run_starts_a_day_inside_it_and_says_so(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    first = await stack.run()
    assert first["status"] == "succeeded", first
    stack.clock.advance(40 * DAY)  # the default memory is 30 days

    before = stack.clock()
    with caplog.at_level(logging.WARNING, logger="smsbus.reconciler.runner"):
        later = await stack.run()

    assert later["status"] == "succeeded", later
    started = datetime.fromisoformat(later["window_start"])
    assert before - timedelta(days=29) <= started <= stack.clock() - timedelta(days=29)
    [warning] = [r for r in caplog.records if "not reconciled" in r.getMessage()]
    unjudged_since = datetime.fromisoformat(first["window_end"]) - timedelta(seconds=OVERLAP)
    assert unjudged_since.isoformat() in warning.getMessage()
