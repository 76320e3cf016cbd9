"""One OpenPhone budget per key for every process (the issue's "Must show" 4): compliance's
egress, two campaign-engine processes sending a 2,000-member campaign, the reconciler reading
history run after run and the health-monitor's canaries, all on one key for 60 s against a
simulator that enforces OpenPhone's 10 requests/s. Every one of them is its own OS process, as
in production (a shared event loop would bunch requests no real deployment bunches); ingest
alone runs in the test. The simulator's own request log is the judge: no second with more than
10 requests, no 429 once the stack runs, and every opt-out confirmation out within 5 s of its
STOP although the campaign keeps sending."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import smsbus.campaigns
import smsbus.compliance
import smsbus.health
import smsbus.reconciler
from smsbus.campaigns.settings import Settings as EngineSettings
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.health.settings import Settings as HealthSettings
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import free_port, running_ingest
from smsbus.openphone_sim.settings import SimSettings
from smsbus.openphone_sim.testing import RunningSimulator
from smsbus.reconciler.settings import Settings as ReconcilerSettings
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.testing import RegistryTopics, eventually, unique_name
from smsbus.runtime.testing_api import AUTH
from smsbus.runtime.testing_migrations import migrated_schemas
from smsbus.runtime.testing_processes import Process, start_process

from .egress_stack import (
    CAMPAIGN_TEXT,
    EGRESS_AGENT,
    create_campaign,
)
from .test_one_egress import miami

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.alone]  # timed: no neighbour

WINDOW = 60.0
"""Seconds everything runs busy on the key."""
STOPS = 20
CONFIRMATION = "You are unsubscribed"
SERVICES = {
    "compliance": smsbus.compliance, "campaigns": smsbus.campaigns,
    "reconciler": smsbus.reconciler, "health": smsbus.health,
}  # fmt: skip


@dataclass
class Busy:
    sim: RunningSimulator
    compliance: httpx.AsyncClient
    reconciler: httpx.AsyncClient
    engine: httpx.AsyncClient
    processes: list[Process] = field(default_factory=list)


async def test_every_process_shares_one_budget_and_confirmations_go_first(
    database_url: str, kafka_bootstrap: str, registry_topics: RegistryTopics
) -> None:
    async with busy_stack(database_url, kafka_bootstrap, registry_topics) as stack:
        # Transactional: the engines' clocks say Tuesday morning, but the egress keeps real
        # time, and quiet hours (marketing only) must not make this test depend on the hour.
        await create_campaign(
            stack.engine, line=stack.sim.lines[0], phones=miami(2000, offset=20),
            purpose="transactional", name="2,000 members",
        )  # fmt: skip
        await eventually(lambda: _campaign_posts(stack.sim, 20), within=180)

        began = time.time()
        stops = await _busy(stack)
        ended = time.time()
        await eventually(lambda: _all_confirmed(stack.sim, stops), within=60)
        requests = await stack.sim.requests()

    log = [r for r in requests if began <= r["wall"] <= ended]
    seconds = Counter(int(r["wall"]) for r in log)
    assert max(seconds.values()) <= 10, f"{max(seconds.values())} requests in one second"
    sliding, worst = _most_in_any_second(log)
    print(f"most requests in any sliding second: {sliding} ({worst})")  # noqa: T201
    steady = [r for r in log if r["wall"] >= began + 5 and r["status"] == 429]
    assert steady == [], f"{len(steady)} answers 429 at steady state"

    latencies = _confirmation_latencies(requests, stops)
    assert len(latencies) == STOPS
    p99 = sorted(latencies)[max(0, round(0.99 * len(latencies)) - 1)]
    assert p99 <= 5.0, f"opt-out confirmations p99 {p99:.2f} s from STOP: {sorted(latencies)}"

    agents = {r["agent"] for r in log}
    assert {EGRESS_AGENT, "smsbus-reconciler/0.1"} <= agents, agents
    campaign_posts = [r for r in log if CAMPAIGN_TEXT in _content(r)]
    assert len(campaign_posts) >= 50, "the campaign kept sending through the window"
    assert [r for r in log if "canary" in _content(r)], "the canary kept running"


async def _busy(stack: Busy) -> dict[str, float]:
    """STOPs from new numbers every few seconds, reconciler runs back to back, for WINDOW s."""
    stops: dict[str, float] = {}
    deadline = time.monotonic() + WINDOW

    async def reconcile() -> None:
        while time.monotonic() < deadline:
            await stack.reconciler.post("/runs", params={"wait": "true"})

    runs = asyncio.create_task(reconcile())
    for phone in miami(STOPS, offset=90):
        stops[phone] = time.time()
        await stack.sim.inbound_message(sender=phone, to=stack.sim.lines[0], text="STOP")
        await asyncio.sleep(WINDOW / STOPS)
    await runs
    return stops


def _content(request: dict[str, Any]) -> str:
    body = request["body"]
    return (
        str(body.get("content")) if request["method"] == "POST" and isinstance(body, dict) else ""
    )


def _confirmation_latencies(requests: list[dict[str, Any]], stops: dict[str, float]) -> list[float]:
    """From the STOP to the confirmation's POST reaching OpenPhone, by the simulator's log."""
    sent: dict[str, float] = {}
    for request in requests:
        if CONFIRMATION in _content(request) and request["status"] == 202:
            for to in request["body"].get("to", []):
                if to in stops:
                    sent.setdefault(to, request["wall"])
    return [sent[phone] - stops[phone] for phone in stops if phone in sent]


async def _all_confirmed(sim: RunningSimulator, stops: dict[str, float]) -> bool:
    return len(_confirmation_latencies(await sim.requests(), stops)) == len(stops)


async def _campaign_posts(sim: RunningSimulator, count: int) -> bool:
    return sum(1 for r in await sim.requests() if CAMPAIGN_TEXT in _content(r)) >= count


def _most_in_any_second(log: list[dict[str, Any]]) -> tuple[int, list[tuple[float, str, str]]]:
    """The most requests that arrived within one second, and those requests."""
    ordered = sorted(log, key=lambda r: r["wall"])
    most, start, worst = 0, 0, (0, 0)
    for end, request in enumerate(ordered):
        while request["wall"] - ordered[start]["wall"] >= 1.0:
            start += 1
        if end - start + 1 > most:
            most, worst = end - start + 1, (start, end)
    window = ordered[worst[0] : worst[1] + 1]
    return most, [(round(r["wall"] % 100, 3), r["agent"], r["path"]) for r in window]


@asynccontextmanager
async def busy_stack(
    database_url: str, bootstrap: str, registry_topics: RegistryTopics
) -> AsyncIterator[Busy]:
    topics = await registry_topics(partitions=3)
    schemas = await migrated_schemas(database_url, SERVICES)
    db = make_engine(database_url, schema="public")
    processes: list[Process] = []
    shared = {
        "SMSBUS_DATABASE_URL": database_url,
        "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
        "topic_overrides": topics,
    }
    ports = {
        name: free_port()
        for name in ("sim", "compliance", "engine", "engine2", "reconciler", "health")
    }
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    try:
        ingest_settings = IngestSettings(
            signing_keys=SimSettings().signing_key,
            kafka_bootstrap=bootstrap,
            topic_overrides=topics,
        )
        async with running_ingest(ingest_settings) as ingest_url:
            sim_settings = SimSettings(
                speed=1, demo_history=False, rate_limit_per_second=10, run_seed=None,
                webhook_urls=[f"{ingest_url}/webhooks/openphone"],
            )  # fmt: skip
            processes.append(
                await start_process(
                    "smsbus.openphone_sim", sim_settings, prefix="SMSBUS_SIM_", port=ports["sim"]
                )
            )
            openphone = {
                "SMSBUS_OPENPHONE_BASE_URL": url["sim"],
                "SMSBUS_OPENPHONE_API_KEY": sim_settings.api_keys[0],
                "SMSBUS_OPENPHONE_RATE": 8.5,
                "SMSBUS_OPENPHONE_BURST": 1,
            }
            compliance = ComplianceSettings(
                **shared, **openphone, db_schema=schemas["compliance"],
                group_id=unique_name("compliance"), campaigns_url=url["engine"],
                marketing_requires_express_consent=False, line_daily_cap=None,
            )  # fmt: skip
            processes.append(
                await start_process(
                    "smsbus.compliance",
                    compliance,
                    prefix="SMSBUS_COMPLIANCE_",
                    port=ports["compliance"],
                )
            )
            today = datetime.now(UTC)
            tuesday_morning = today.replace(hour=15, minute=0) + timedelta(
                days=(1 - today.weekday()) % 7
            )
            engine = EngineSettings(
                **shared, db_schema=schemas["campaigns"],
                group_id=unique_name("engine"), compliance_url=url["compliance"],
                dispatch_interval=0.2, clock_start=tuesday_morning,
            )  # fmt: skip
            for name in ("engine", "engine2"):  # two replicas in one consumer group
                processes.append(
                    await start_process(
                        "smsbus.campaigns", engine, prefix="SMSBUS_CAMPAIGNS_", port=ports[name]
                    )
                )
            reconciler = ReconcilerSettings(
                **shared, **openphone, db_schema=schemas["reconciler"],
                group_id=unique_name("reconciler"), schedule=False, lookback_seconds=3600,
                overlap_seconds=0, grace_seconds=0, catchup_timeout_seconds=5,
            )  # fmt: skip
            processes.append(
                await start_process(
                    "smsbus.reconciler",
                    reconciler,
                    prefix="SMSBUS_RECONCILER_",
                    port=ports["reconciler"],
                )
            )
            health = HealthSettings(
                **shared, db_schema=schemas["health"],
                group_id=unique_name("health"), canary_from=sim_settings.lines[0],
                interval_seconds=3.0, timeout_seconds=30.0,
            )  # fmt: skip
            processes.append(
                await start_process(
                    "smsbus.health", health, prefix="SMSBUS_HEALTH_", port=ports["health"]
                )
            )
            async with (
                httpx.AsyncClient(base_url=url["sim"], timeout=60) as admin,
                httpx.AsyncClient(
                    headers=AUTH, base_url=url["compliance"], timeout=60
                ) as compliance_api,
                httpx.AsyncClient(
                    headers=AUTH, base_url=url["reconciler"], timeout=300
                ) as reconciler_api,
                httpx.AsyncClient(headers=AUTH, base_url=url["engine"], timeout=120) as engine_api,
            ):
                sim = RunningSimulator(url["sim"], sim_settings.api_keys[0], sim_settings, admin)
                yield Busy(sim, compliance_api, reconciler_api, engine_api, processes)
    finally:
        for process in processes:
            process.kill()
        for schema in schemas.values():
            await drop_schema(db, schema)
        await db.dispose()
