"""campaign-engine and compliance for one measured run, from one source tree: schemas and topics
of the run's own (dropped afterwards), both services as processes of their own with the bench's
settings, both clocks on the campaign's Tuesday afternoon, and an audience seeded straight into
the engine's tables (the import API is not what is measured)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from stack import Tree, ready, run_in, spawn, stop

from smsbus.ingest.testing import free_port
from smsbus.openphone_sim.testing import RunningSimulator
from smsbus.runtime.budget import SCHEMA as BUDGET_SCHEMA
from smsbus.runtime.budget import key_id
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token
from bench_auth import HEADERS, SERVICE_ENV

ENTRY = Path(__file__).with_name("dispatch.py")
"""The bench's script: its hidden flags serve compliance, migrate, profile the engine."""
CLOCK = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # Tuesday 13:00 EST, 10:00 PST
TEMPLATE = "Hi {first_name}, spring fence deals. Reply STOP to opt out"
TOPICS = ("messages", "contacts", "consent", "events", "requests", "results", "unread")
REGISTRY = {
    "messages": "openphone.messages.v1", "contacts": "openphone.contacts.v1",
    "consent": "compliance.consent.v1", "events": "campaigns.events.v1",
    "requests": "outbound.requests.v1", "results": "outbound.results.v1",
}  # fmt: skip


def topic_env(prefix: str, topics: dict[str, str]) -> dict[str, str]:
    """The run's topics (short name → topic) as a tree of either generation reads them:
    `<prefix>TOPIC_OVERRIDES` keyed by the registry, and the per-topic variables of the trees
    before it (a baseline tree); each ignores the other's."""
    overrides = {REGISTRY[name]: topic for name, topic in topics.items()}
    return {
        f"{prefix}TOPIC_OVERRIDES": json.dumps(overrides),
        **{f"{prefix}{name.upper()}_TOPIC": topic for name, topic in topics.items()},
    }


SEED_CHUNK = 20_000


@dataclass(frozen=True)
class Options:
    batch: int
    lanes: int | None = None
    """SMSBUS_CAMPAIGNS_DISPATCH_LANES (a tree without the setting ignores it)."""
    rate: float = 1000.0
    burst: int = 100
    egress_batch: int = 50
    egress: bool = True
    """False: compliance reads no request (it only answers eligibility): the engine's requests
    stay on their topic, and the engine's part is measured alone."""
    profile: Path | None = None
    """The engine runs under cProfile (CPU time) and writes its statistics here on exit."""


def service_api(url: str, timeout: float = 60) -> httpx.AsyncClient:
    """A client of campaign-engine's or compliance's API, with the run's token."""
    return httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=timeout, trust_env=False)


@dataclass
class Services:
    engine_url: str
    compliance_url: str
    engine: subprocess.Popen[bytes]
    compliance: subprocess.Popen[bytes]
    db: AsyncEngine
    """The engine's schema."""
    audit: AsyncEngine
    """compliance's schema."""
    topics: dict[str, str]
    logs: Path
    bootstrap: str

    async def campaign(self, line: str, phones: list[str]) -> str:
        """One marketing campaign with every limit lifted and `phones` as its pending members
        (contacts named P<i>), not started."""
        async with service_api(self.engine_url) as api:
            created = await api.post("/v1/campaigns", json={
                "name": "bench", "line": line, "daily_limit": None, "min_gap_days": 0,
                "window": {"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59"},
                "variants": [{"name": "A", "template": TEMPLATE}],
            })  # fmt: skip
            created.raise_for_status()
        campaign_id: str = created.json()["id"]
        async with self.db.begin() as conn:
            for start in range(0, len(phones), SEED_CHUNK):
                await conn.execute(
                    text(
                        "INSERT INTO contacts (id, phone, first_name, fields, office_number, "
                        "do_not_contact, deleted) SELECT 'bench-k' || (n + :start), p, "
                        "'P' || (n + :start), '{}', false, false, false "
                        "FROM unnest(CAST(:phones AS text[])) WITH ORDINALITY AS t(p, n)"
                    ),
                    {"phones": phones[start : start + SEED_CHUNK], "start": start - 1},
                )
            await conn.execute(
                text(
                    "INSERT INTO members (id, campaign_id, contact_id, phone, variant, status, "
                    "next_attempt_at, attempts, recovered) SELECT 'bench-m' || substr(id, 8), "
                    ":c, id, phone, 'A', 'pending', :at, 0, false FROM contacts"
                ),
                {"c": campaign_id, "at": CLOCK},
            )
        async with self.db.begin() as conn:  # as autovacuum would a minute after a bulk add
            await conn.execute(text("ANALYZE contacts"))
            await conn.execute(text("ANALYZE members"))
        return campaign_id

    async def start(self, campaign_id: str) -> None:
        async with service_api(self.engine_url) as api:
            (await api.post(f"/v1/campaigns/{campaign_id}/start")).raise_for_status()


@asynccontextmanager
async def running_services(
    tree: Tree, sim: RunningSimulator, options: Options
) -> AsyncIterator[Services]:
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    run = f"{int(time.time())}_{uuid.uuid4().hex[:6]}"
    schemas = {"campaigns": f"bench_campaigns_{run}", "compliance": f"bench_compliance_{run}"}
    topics = {name: f"bench.{run}.{name}.v1" for name in TOPICS}
    shared = {"SMSBUS_DATABASE_URL": database_url, "SMSBUS_KAFKA_BOOTSTRAP": bootstrap}
    served = shared | SERVICE_ENV
    # Each tree migrates with its own migrations.
    run_in(tree, [str(ENTRY), "--migrate", schemas["campaigns"], schemas["compliance"]], shared)
    await ensure_topics(bootstrap, topics.values(), partitions=3)
    db = make_engine(database_url, schema=schemas["campaigns"])
    audit = make_engine(database_url, schema=schemas["compliance"])
    logs = Path(tempfile.mkdtemp(prefix="bench-campaigns-"))
    offset = (CLOCK - datetime.now(UTC)).total_seconds()
    compliance_port, engine_port = free_port(), free_port()
    compliance_url = f"http://127.0.0.1:{compliance_port}"
    engine_url = f"http://127.0.0.1:{engine_port}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        requests = topics["requests"] if options.egress else topics["unread"]
        compliance = spawn(tree, [str(ENTRY), "--serve-compliance", str(offset)], served | {
            "SMSBUS_OPENPHONE_BASE_URL": sim.base_url,
            "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
            "SMSBUS_OPENPHONE_RATE": str(options.rate),
            "SMSBUS_OPENPHONE_BURST": str(options.burst),
            "SMSBUS_COMPLIANCE_PORT": str(compliance_port),
            "SMSBUS_COMPLIANCE_DB_SCHEMA": schemas["compliance"],
            "SMSBUS_COMPLIANCE_GROUP_ID": f"bench-compliance-{run}",
            **topic_env("SMSBUS_COMPLIANCE_", {
                "messages": topics["messages"], "consent": topics["consent"],
                "requests": requests, "results": topics["results"],
            }),
            "SMSBUS_COMPLIANCE_CAMPAIGNS_URL": engine_url,
            "SMSBUS_COMPLIANCE_EGRESS_BATCH": str(options.egress_batch),
            "SMSBUS_COMPLIANCE_MARKETING_REQUIRES_EXPRESS_CONSENT": "false",
        }, logs / "compliance.log")  # fmt: skip
        processes.append(compliance)
        command = ["-m", "smsbus.campaigns"]
        if options.profile is not None:
            command = [str(ENTRY), "--serve-engine-profiled", str(options.profile)]
        lanes = {"SMSBUS_CAMPAIGNS_DISPATCH_LANES": str(options.lanes)} if options.lanes else {}
        engine = spawn(tree, command, served | lanes | {
            "SMSBUS_CAMPAIGNS_PORT": str(engine_port),
            "SMSBUS_CAMPAIGNS_DB_SCHEMA": schemas["campaigns"],
            "SMSBUS_CAMPAIGNS_GROUP_ID": f"bench-campaigns-{run}",
            **topic_env("SMSBUS_CAMPAIGNS_", {name: topics[name] for name in REGISTRY}),
            "SMSBUS_CAMPAIGNS_COMPLIANCE_URL": compliance_url,
            "SMSBUS_CAMPAIGNS_DISPATCH_BATCH": str(options.batch),
            "SMSBUS_CAMPAIGNS_DISPATCH_INTERVAL": "0.05",
            "SMSBUS_CAMPAIGNS_CLOCK_START": CLOCK.isoformat(),
            "SMSBUS_CAMPAIGNS_CLOCK_CONTROL": "true",
        }, logs / "campaign-engine.log")  # fmt: skip
        processes.append(engine)
        await ready(compliance_url, compliance, logs / "compliance.log")
        await ready(engine_url, engine, logs / "campaign-engine.log")
        async with service_api(engine_url) as api:
            # The engine's clock on compliance's: both read the same Tuesday afternoon.
            now = datetime.now(UTC) + timedelta(seconds=offset)
            answer = await api.post("/v1/testing/clock", json={"set": now.isoformat()})
            answer.raise_for_status()
        yield Services(
            engine_url, compliance_url, engine, compliance, db, audit, topics, logs, bootstrap
        )
    finally:
        stop(processes)
        for schema in schemas.values():
            await drop_schema(db, schema)
        async with db.begin() as conn:  # the simulator's key row in the shared budget
            await conn.execute(
                text(f"DELETE FROM {BUDGET_SCHEMA}.api_budgets WHERE key = :key"),
                {"key": key_id(sim.base_url, sim.api_key)},
            )
        await db.dispose()
        await audit.dispose()
        await delete_topics(bootstrap, topics.values())


async def status_counts(db: AsyncEngine) -> dict[str, int]:
    async with db.connect() as conn:
        rows = await conn.execute(text("SELECT status, count(*) FROM members GROUP BY status"))
        return {status: int(count) for status, count in rows.all()}


async def baseline_eligibility(url: str, phones: list[str], batch: int) -> float:
    """POST /v1/eligibility in the engine's batch size, one at a time: the eligibility leg."""
    async with service_api(url) as http:
        started = time.perf_counter()
        for start in range(0, len(phones), batch):
            chunk = phones[start : start + batch]
            answer = await http.post(
                "/v1/eligibility", json={"phones": chunk, "purpose": "marketing"}
            )
            answer.raise_for_status()
        return len(phones) / (time.perf_counter() - started)


def serve_compliance(offset: float) -> None:
    """compliance as `python -m smsbus.compliance` runs it, with two bench changes: its clock
    runs `offset` seconds from the real one (the campaign's Tuesday afternoon), and the line's
    daily cap is off (an empty SMSBUS_COMPLIANCE_LINE_DAILY_CAP is ignored, i.e. 125)."""
    from smsbus.compliance.app import create_app
    from smsbus.compliance.settings import SERVICE, Settings
    from smsbus.runtime.logging import configure_logging
    from smsbus.runtime.serving import serve

    settings = Settings(line_daily_cap=None)
    configure_logging(service=SERVICE, level=settings.log_level)
    shift = timedelta(seconds=offset)
    app = create_app(settings, clock=lambda: datetime.now(UTC) + shift)
    serve(app, host=settings.host, port=settings.port)


def serve_engine_profiled(path: str) -> None:
    """`python -m smsbus.campaigns` under cProfile, timed in CPU seconds (a coroutine's waits
    cost nothing), its statistics written to `path` when it stops."""
    import cProfile
    import signal
    import sys

    from smsbus.campaigns.__main__ import main

    # uvicorn raises the SIGTERM it caught again once it has shut down: exit through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        main()
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def migrate(campaigns_schema: str, compliance_schema: str) -> None:
    """Both services' migrations, as this tree has them."""
    import asyncio

    import smsbus.campaigns
    import smsbus.compliance
    from smsbus.runtime.migrations import upgrade

    url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    for module, schema in ((smsbus.campaigns, campaigns_schema),
                           (smsbus.compliance, compliance_schema)):  # fmt: skip
        migrations = Path(str(module.__file__)).parent / "migrations"
        asyncio.run(upgrade(url, schema=schema, script_location=migrations))
