"""The canary through the whole pipeline: the monitor → compliance's egress → simulator → ingest
→ Kafka → the monitor, against real Kafka, PostgreSQL and the simulator; results read back from
Kafka, the API and the tables."""

import itertools
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import CanaryFailed, CanaryPassed, Envelope
from smsbus.runtime.kafka import make_broker, publish_event

from .harness import (
    CANARY,
    UNDELIVERABLE,
    AlertReceiver,
    Stack,
    StartStack,
    decided,
    eventually,
    start_check,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack(alerts=AlertReceiver(fail_first=1)) as running:
        yield running


async def test_a_canary_that_comes_back_passes(stack: Stack) -> None:
    await stack.subscribe_ingest()
    async with stack.monitor() as api:
        assert (await api.get("/status")).json()["status"] == "unknown"
        check_id = await start_check(api)
        check = await decided(api, check_id)

        sent = await stack.sim.messages(direction="outgoing", to=CANARY)
        assert [m["text"] for m in sent] == [_text(check_id)]
        assert check["state"] == "passed"
        assert check["message_id"] == sent[0]["id"]
        assert check["event_type"] == "message.delivered"
        assert 0 < check["round_trip_seconds"] < 30
        assert check["started_at"] == check["created_at"]

        # It left through the egress: one request, one accepted result, named by the check id.
        [request] = await stack.events(stack.topics["outbound.requests.v1"])
        assert (request.type, request.data.request_id) == ("send.requested", check_id)
        assert (request.data.purpose, request.data.requester) == ("canary", "health-monitor")
        assert request.data.expires_at == datetime.fromisoformat(check["deadline_at"])
        [accepted] = await eventually(lambda: stack.events(stack.topics["outbound.results.v1"]))
        assert (accepted.type, accepted.data.message_id) == ("send.accepted", sent[0]["id"])

        results = await eventually(stack.results)
        assert [type(e.data) for e in results] == [CanaryPassed]
        passed = results[0].data
        assert (passed.check_id, passed.message_id) == (check_id, sent[0]["id"])
        assert (passed.line, passed.to) == (stack.sim.lines[0], CANARY)
        assert passed.round_trip_seconds == pytest.approx(check["round_trip_seconds"])
        assert await stack.result_keys() == [stack.sim.lines[0].encode()]

        status = (await api.get("/status")).json()
        assert status["status"] == "healthy"
        assert status["consecutive_failures"] == 0
        assert status["last_success_at"] == check["finished_at"]
        assert status["pending_check_id"] is None

        # The same webhook again (a retry, the reconciler's copy) decides nothing more.
        delivered = [e for e in await stack.message_events() if e.type == "message.delivered"]
        await _publish_again(stack, delivered[0], stack.topics["openphone.messages.v1"])
        await eventually(lambda: _handled(api, stack.topics["openphone.messages.v1"], 2))
        assert len(await stack.results()) == 1

        metrics = (await api.get("/metrics")).text
        assert 'smsbus_health_canary_checks_total{outcome="passed",stage="none"} 1.0' in metrics
        assert "smsbus_health_canary_round_trip_seconds_count 1.0" in metrics
        assert "smsbus_health_canary_healthy 1.0" in metrics
        assert "smsbus_health_canary_last_success_timestamp_seconds 1." in metrics


async def test_no_webhook_fails_after_the_deadline_alerts_and_recovers(
    stack: Stack, engine: AsyncEngine
) -> None:
    webhook = await stack.subscribe_ingest()
    async with stack.monitor(timeout_seconds=4.0, failures_before_alert=2) as api:
        first = await start_check(api)
        assert (await decided(api, first))["state"] == "passed"

        await stack.delete_webhook(webhook)  # the pipeline silently breaks
        failures = []
        for _ in range(2):
            check_id = await start_check(api)
            refused = await api.post("/checks")
            assert refused.status_code == 409
            assert refused.json()["pending_check_id"] == check_id
            failures.append(await decided(api, check_id))
        for check in failures:
            assert (check["state"], check["stage"]) == ("failed", "webhook")
            assert check["reason"] == f"no delivery webhook for {check['message_id']} within 4 s"

        status = (await api.get("/status")).json()
        assert (status["status"], status["consecutive_failures"]) == ("failing", 2)
        alert = await eventually(lambda: _received(stack, 1))
        assert alert[0]["kind"] == "alert"
        assert alert[0]["status"] == "failing"
        assert alert[0]["consecutive_failures"] == 2
        assert alert[0]["check"]["id"] == failures[1]["id"]
        assert alert[0]["last_success_at"] is not None

        await stack.subscribe_ingest()  # fixed
        last = await start_check(api)
        assert (await decided(api, last))["state"] == "passed"
        received = await eventually(lambda: _received(stack, 2))
        assert [a["kind"] for a in received] == ["alert", "recovered"]
        assert received[1]["status"] == "healthy"
        assert received[1]["check"]["id"] == last

        results = await eventually(lambda: _results(stack, 4))
        expected = ["canary.passed", "canary.failed", "canary.failed", "canary.passed"]
        assert [e.type for e in results] == expected
        failed = results[1].data
        assert isinstance(failed, CanaryFailed)
        assert (failed.stage, failed.message_id) == ("webhook", failures[0]["message_id"])

        metrics = (await api.get("/metrics")).text
        assert 'smsbus_health_canary_checks_total{outcome="failed",stage="webhook"} 2.0' in metrics
        assert 'smsbus_health_alerts_total{kind="alert",outcome="retried"} 1.0' in metrics
        assert 'smsbus_health_alerts_total{kind="alert",outcome="delivered"} 1.0' in metrics
        assert 'smsbus_health_alerts_total{kind="recovered",outcome="delivered"} 1.0' in metrics

    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT kind, status, attempts FROM alerts ORDER BY id"))
        ).all()
    # The receiver refused the first POST: the alert was retried, then delivered.
    assert [tuple(r) for r in rows] == [("alert", "delivered", 2), ("recovered", "delivered", 1)]


async def test_a_canary_to_an_opted_out_number_is_refused_by_the_egress(stack: Stack) -> None:
    await stack.subscribe_ingest()
    await stack.opt_out(CANARY)
    async with stack.monitor() as api:
        check = await decided(api, await start_check(api))
        assert (check["state"], check["stage"], check["reason"]) == ("failed", "send", "opted_out")
        assert (check["event_type"], check["message_id"]) == ("send.refused", None)
        assert await stack.sim.messages(direction="outgoing", to=CANARY) == []

        results = await eventually(stack.results)
        assert isinstance(results[0].data, CanaryFailed)
        assert (results[0].data.stage, results[0].data.reason) == ("send", "opted_out")

        # The egress's result again (a redelivery) is a no-op.
        [refused] = await stack.events(stack.topics["outbound.results.v1"])
        assert refused.type == "send.refused"
        await _publish_again(stack, refused, stack.topics["outbound.results.v1"])
        await eventually(lambda: _handled(api, stack.topics["outbound.results.v1"], 2))
        assert len(await stack.results()) == 1
        metrics = (await api.get("/metrics")).text
        assert 'smsbus_health_canary_checks_total{outcome="failed",stage="send"} 1.0' in metrics


async def test_a_canary_openphone_refuses_fails_at_the_send_stage(stack: Stack) -> None:
    async with stack.monitor(canary_from="+15555550000") as api:  # not one of our lines
        check = await decided(api, await start_check(api))
    assert (check["state"], check["stage"], check["message_id"]) == ("failed", "send", None)
    assert check["event_type"] == "send.failed"
    assert check["reason"].startswith("openphone_400")
    results = await eventually(stack.results)
    assert isinstance(results[0].data, CanaryFailed)
    assert results[0].data.stage == "send"
    assert results[0].data.reason == check["reason"]


async def test_an_undelivered_canary_fails_with_openphones_status(stack: Stack) -> None:
    await stack.subscribe_ingest()
    async with stack.monitor(canary_to=UNDELIVERABLE) as api:
        check = await decided(api, await start_check(api))
    assert (check["state"], check["stage"]) == ("failed", "send")
    assert check["reason"] == "OpenPhone reported the canary undelivered (message.undelivered)"
    assert check["event_type"] == "message.undelivered"
    results = await eventually(stack.results)
    assert results[0].data.reason == check["reason"]
    assert results[0].data.to == UNDELIVERABLE


def _text(check_id: str) -> str:
    return f"smsbus canary {check_id}: pipeline health check, please ignore"


async def _handled(api: httpx.AsyncClient, topic: str, count: int) -> bool:
    needle = f'smsbus_health_events_handled_total{{outcome="handled",topic="{topic}"}} {count}.0'
    return needle in (await api.get("/metrics")).text


async def _publish_again(stack: Stack, event: Envelope[Any], topic: str) -> None:
    broker = make_broker(stack.bootstrap, client_id="health-tests")
    await broker.start()
    try:
        await publish_event(broker, event, topic=topic)
    finally:
        await broker.stop()


async def _received(stack: Stack, count: int) -> list[dict[str, object]] | None:
    return stack.alerts.received if len(stack.alerts.received) >= count else None


async def _results(stack: Stack, count: int) -> list[object] | None:
    results = await stack.results()
    return results if len(results) >= count else None


async def test_the_schedule_starts_a_check_every_interval_one_at_a_time(stack: Stack) -> None:
    await stack.subscribe_ingest()
    async with stack.monitor(enabled=True, interval_seconds=1.0) as api:
        checks = await eventually(lambda: _checks(api, 3))
    created = sorted(datetime.fromisoformat(c["created_at"]) for c in checks)
    assert all(b - a >= timedelta(seconds=1) for a, b in itertools.pairwise(created))
    assert sum(c["state"] in ("sending", "sent") for c in checks) <= 1
    assert {c["state"] for c in checks[1:]} == {"passed"}  # all but the newest


async def _checks(api: httpx.AsyncClient, count: int) -> list[dict[str, str]] | None:
    checks: list[dict[str, str]] = (await api.get("/checks")).json()["checks"]
    return checks if len(checks) >= count else None
