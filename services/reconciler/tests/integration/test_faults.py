"""Runs that must not judge: a lagging consumer defers, OpenPhone failing fails, a second run
while one holds the lock is refused; none of them emits or moves the watermark."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from smsbus.openphone import OpenPhoneClient, RetryPolicy
from smsbus.openphone_sim.testing import RunningSimulator
from smsbus.reconciler.store.runs import run_lock
from smsbus.runtime.testing import eventually

from .harness import GRACE, Stack, StartStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def quick_retries(sim: RunningSimulator) -> OpenPhoneClient:
    retry = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05)
    return OpenPhoneClient(api_key=sim.api_key, base_url=sim.base_url, retry=retry)


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack(openphone=quick_retries, catchup_timeout_seconds=2.0) as running:
        yield running


async def test_a_lagging_consumer_defers_the_run(stack: Stack) -> None:
    first = await stack.run()
    assert first["status"] == "succeeded", first
    missed = []
    async with stack.engine.connect() as blocker:
        # Our consumer's next insert waits on this lock: it cannot get past the webhook.
        await blocker.execute(text("LOCK TABLE seen_events IN ACCESS EXCLUSIVE MODE"))
        await stack.inbound("+14155550131", "hi")
        await stack.sim.settle()
        await stack.webhooks(on=False)
        missed.append(await stack.inbound("+14155550132", "STOP"))
        await stack.sim.settle()
        stack.clock.advance(2 * GRACE)

        deferred = await stack.run()

        assert deferred["status"] == "deferred", deferred
        assert deferred["consumer_lag"] >= 1
        assert "behind the end offsets" in deferred["error"]
        assert deferred["emitted"] == 0
        await blocker.rollback()
    assert await stack.synthetic() == []

    caught_up = await stack.run()
    assert caught_up["status"] == "succeeded", caught_up
    assert caught_up["window_start"] == deferred["window_start"]  # the watermark did not move
    assert [e.dedupe_key for e in await stack.synthetic()] == [f"message.received:{missed[0]}"]
    metrics = (await stack.api.get("/metrics")).text
    assert 'smsbus_reconciler_runs_total{outcome="deferred"} 1.0' in metrics


async def test_openphone_failing_fails_the_run_and_the_next_covers_its_window(
    stack: Stack,
) -> None:
    first = await stack.run()
    assert first["status"] == "succeeded", first
    await stack.webhooks(on=False)
    missed = await stack.inbound("+14155550141", "STOP")
    await stack.sim.settle()
    stack.clock.advance(2 * GRACE)
    await stack.sim.faults(drop_rate=1.0, rest_error_rate=1.0)

    failed = await stack.run()

    assert failed["status"] == "failed", failed
    assert failed["error"].startswith(("RateLimited: ", "ServerError: ")), failed["error"]
    assert "OpenPhone answered" in failed["error"]
    assert failed["emitted"] == 0
    assert (await stack.api.get(f"/runs/{failed['id']}")).json()["status"] == "failed"
    assert await stack.synthetic() == []

    await stack.sim.faults(drop_rate=1.0)
    retried = await stack.run()
    assert retried["status"] == "succeeded", retried
    assert retried["window_start"] == failed["window_start"]  # same watermark: same window
    assert retried["missing"] == {"message.received": 1}
    assert [e.dedupe_key for e in await stack.synthetic()] == [f"message.received:{missed}"]
    metrics = (await stack.api.get("/metrics")).text
    assert 'smsbus_reconciler_runs_total{outcome="failed"} 1.0' in metrics


async def test_a_second_run_while_one_holds_the_lock_is_refused(stack: Stack) -> None:
    async with run_lock(engine=stack.engine, name="runs") as acquired:
        assert acquired
        refused = await stack.api.post("/runs")
        assert refused.status_code == 409
        assert "already under way" in refused.json()["detail"]
    assert (await stack.run())["status"] == "succeeded"
    listed = (await stack.api.get("/runs")).json()["data"]
    assert [r["status"] for r in listed] == ["succeeded"]


async def test_a_run_started_without_waiting_answers_at_once_and_is_followed_at_its_address(
    stack: Stack,
) -> None:
    await stack.sim.faults(slow_rate=1.0, slow_seconds=1.0)  # every history page takes 1 s
    started = await stack.api.post("/runs")
    assert started.status_code == 202, started.text
    run = started.json()
    assert (run["status"], run["finished_at"]) == ("running", None)
    assert started.headers["location"] == f"/runs/{run['id']}"
    refused = await stack.api.post("/runs")
    assert refused.status_code == 409, refused.text

    async def finished() -> dict[str, object] | None:
        found: dict[str, object] = (await stack.api.get(started.headers["location"])).json()
        return found if found["status"] != "running" else None

    assert (await eventually(finished, within=60))["status"] == "succeeded"
    await stack.sim.faults()
    assert (await stack.run())["status"] == "succeeded"  # the lock was given back
