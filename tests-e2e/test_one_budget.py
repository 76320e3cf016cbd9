"""One OpenPhone budget per key for every process (the issue's "Must show" 4): compliance's
egress, two campaign-engine processes sending a 2,000-member campaign, the reconciler reading
history run after run and the health-monitor's canaries, all on one key for 60 s against a
simulator that enforces OpenPhone's 10 requests/s. The simulator's own request log is the
judge: no second with more than 10 requests, no 429 once the stack runs, and every opt-out
confirmation out within 5 s of its STOP although the campaign keeps sending."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import smsbus.health
import smsbus.reconciler
from smsbus.health.app import create_app as create_health
from smsbus.health.settings import Settings as HealthSettings
from smsbus.ingest.testing import free_port
from smsbus.openphone_sim.testing import serving
from smsbus.reconciler.app import create_app as create_reconciler
from smsbus.reconciler.settings import Settings as ReconcilerSettings
from smsbus.runtime.db import drop_schema
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.testing import NewTopic, eventually, unique_name

from .egress_stack import CAMPAIGN_TEXT, EGRESS_AGENT, EgressStack, running_stack
from .test_one_egress import TUESDAY_10_MIAMI, miami

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WINDOW = 60.0
"""Seconds everything runs busy on the key."""
STOPS = 20
CONFIRMATION = "You are unsubscribed"


async def test_every_process_shares_one_budget_and_confirmations_go_first(
    database_url: str, kafka_bootstrap: str, new_topic: NewTopic
) -> None:
    async with (
        running_stack(
            database_url=database_url, bootstrap=kafka_bootstrap, new_topic=new_topic,
            start=TUESDAY_10_MIAMI, sim_speed=1, sim_rate_limit=10,
            SMSBUS_OPENPHONE_RATE=9.5, SMSBUS_OPENPHONE_BURST=1,
            openphone_timeout=10.0, egress_lookup_after_seconds=30.0,
        ) as stack,
        AsyncExitStack() as others,
    ):  # fmt: skip
        reconciler = await others.enter_async_context(_reconciler(stack))
        await others.enter_async_context(_health(stack))
        await stack.start_engine()
        await stack.start_engine(port=free_port())
        await stack.campaign(miami(2000, offset=20), name="2,000 members")
        await eventually(lambda: _texts_sent(stack, 20), within=120)

        began = time.time()
        stops = await _busy(stack, reconciler)
        ended = time.time()
        await eventually(lambda: _all_confirmed(stack, stops), within=60)

    log = [r for r in await stack.sim.requests() if began <= r["wall"] <= ended]
    per_second = _most_in_any_second([r["wall"] for r in log])
    assert per_second <= 10, f"{per_second} requests in one second for one key"
    steady = [r for r in log if r["wall"] >= began + 5 and r["status"] == 429]
    assert steady == [], f"{len(steady)} answers 429 at steady state"

    latencies = await _confirmation_latencies(stack, stops)
    p99 = sorted(latencies)[max(0, round(0.99 * len(latencies)) - 1)]
    assert len(latencies) == STOPS
    assert p99 <= 5.0, f"opt-out confirmations p99 {p99:.2f} s from STOP: {sorted(latencies)}"

    agents = {r["agent"] for r in log}
    assert {EGRESS_AGENT, "smsbus-reconciler/0.1"} <= agents, agents
    campaign_posts = [
        r for r in log
        if r["method"] == "POST" and CAMPAIGN_TEXT in str((r["body"] or {}).get("content"))
    ]  # fmt: skip
    assert len(campaign_posts) >= 100, "the campaign kept sending through the window"
    canaries = [r for r in log if "canary" in str((r["body"] or {}).get("content"))]
    assert canaries, "the canary kept running"


async def _busy(stack: EgressStack, reconciler: httpx.AsyncClient) -> dict[str, float]:
    """STOPs from new numbers every few seconds, reconciler runs back to back, for WINDOW s."""
    stops: dict[str, float] = {}
    deadline = time.monotonic() + WINDOW

    async def reconcile() -> None:
        while time.monotonic() < deadline:
            await reconciler.post("/runs")

    runs = asyncio.create_task(reconcile())
    for phone in miami(STOPS, offset=90):
        stops[phone] = time.time()
        await stack.stop(phone)
        await asyncio.sleep(WINDOW / STOPS)
    await runs
    return stops


async def _confirmation_latencies(stack: EgressStack, stops: dict[str, float]) -> list[float]:
    """From the STOP to the confirmation's POST reaching OpenPhone, by the simulator's clock."""
    sent: dict[str, float] = {}
    for request in await stack.sim.requests():
        body = request["body"] or {}
        if request["method"] == "POST" and CONFIRMATION in str(body.get("content")):
            for to in body.get("to", []):
                if to in stops and request["status"] == 202:
                    sent.setdefault(to, request["wall"])
    return [sent[phone] - stops[phone] for phone in stops if phone in sent]


async def _all_confirmed(stack: EgressStack, stops: dict[str, float]) -> bool:
    return len(await _confirmation_latencies(stack, stops)) == len(stops)


async def _texts_sent(stack: EgressStack, count: int) -> bool:
    return sum((await stack.campaign_texts()).values()) >= count


def _most_in_any_second(walls: list[float]) -> int:
    ordered = sorted(walls)
    most, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def _stack_settings(stack: EgressStack, schema: str) -> dict[str, Any]:
    return {
        "SMSBUS_DATABASE_URL": stack.database_url, "SMSBUS_KAFKA_BOOTSTRAP": stack.bootstrap,
        "db_schema": schema, "group_id": unique_name(schema),
        "messages_topic": stack.topics["openphone.messages.v1"],
    }  # fmt: skip


def _reconciler(stack: EgressStack) -> Any:  # an async context manager of its client
    return _service(
        stack, "reconciler", smsbus.reconciler,
        lambda fields: create_reconciler(
            ReconcilerSettings(**fields, **{
                "SMSBUS_OPENPHONE_BASE_URL": stack.sim.base_url,
                "SMSBUS_OPENPHONE_API_KEY": stack.sim.api_key,
                "SMSBUS_OPENPHONE_RATE": 9.5, "SMSBUS_OPENPHONE_BURST": 1,
                "calls_topic": stack.topics["openphone.calls.v1"], "schedule": False,
                "lookback_seconds": 3600, "overlap_seconds": 0, "grace_seconds": 0,
                "catchup_timeout_seconds": 5,
            }),
            clock=stack.clock.now,
        ),
    )  # fmt: skip


def _health(stack: EgressStack) -> Any:
    return _service(
        stack, "health", smsbus.health,
        lambda fields: create_health(
            HealthSettings(**fields, **{
                "checks_topic": stack.topics["health.checks.v1"],
                "requests_topic": stack.topics["outbound.requests.v1"],
                "results_topic": stack.topics["outbound.results.v1"],
                "canary_from": stack.line, "interval_seconds": 3.0, "timeout_seconds": 30.0,
            }),
            clock=stack.clock.now,
        ),
    )  # fmt: skip


@asynccontextmanager
async def _service(
    stack: EgressStack, name: str, package: Any, build: Callable[[dict[str, Any]], Any]
) -> AsyncIterator[httpx.AsyncClient]:
    """A service's app on its own migrated schema, served in this event loop; its client."""
    schema = unique_name(name)
    migrations = Path(package.__file__).parent / "migrations"
    await upgrade(stack.database_url, schema=schema, script_location=migrations)
    try:
        async with (
            serving(build(_stack_settings(stack, schema)), name=name) as url,
            httpx.AsyncClient(base_url=url, timeout=120) as client,
        ):
            await eventually(lambda: _ready(client), within=60)
            yield client
    finally:
        await drop_schema(stack.compliance_db, schema)


async def _ready(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/readyz")).status_code == 200
    except httpx.TransportError:
        return False
