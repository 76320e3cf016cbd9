"""bench/compliance: seconds from webhook accepted to suppression committed, under load.

    ./uv run python bench/compliance/run.py [--rate 200] [--duration 30] [--baseline-rate 10]
                                          [--baseline-duration 10] [--replies on|off]
                                          [--compliance-processes 1] [--batch-records 500]

Three real processes, as the stack runs them: the OpenPhone simulator (`python -m
smsbus.openphone_sim`), ingest (`python -m smsbus.ingest`) and compliance (`python -m
smsbus.compliance`), on Kafka topics and a PostgreSQL schema of their own (deleted afterwards).
The bench asks the simulator for inbound texts at a paced rate (`POST /sim/messages/inbound`,
open loop): each is a "STOP" from a number of its own, so each must end in a suppression. The
simulator signs a webhook to ingest, ingest publishes it (acks=all), compliance consumes it and
commits the revocation with its inbox row, outbox event and confirmation intent.

Latency per message = the ledger entry's `recorded_at` (taken in the committing transaction)
minus `ingested_at` (ingest's envelope `recorded_at`: the webhook accepted). The baseline is
the same pipeline at `--baseline-rate`, measured first in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

import smsbus.compliance
from smsbus.contracts import ROUTES, dlq_topic
from smsbus.ingest.testing import free_port
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token
from bench_auth import SERVICE_ENV
from process_rig import cpu_seconds, numbers_for, say, start, stop_all  # bench/compliance

MIGRATIONS = Path(smsbus.compliance.__file__).parent / "migrations"
SIGNING_KEY = "YmVuY2gtY29tcGxpYW5jZS1zaWduaW5nLWtleS0wMDA="
API_KEY = "bench-compliance-api-key"
LINE = "+15555550100"
INGEST_TOPICS = sorted({route.topic for route in ROUTES if "ingest-webhooks" in route.producers})
EXTRA_TOPICS = ("compliance.consent.v1", "outbound.requests.v1", "outbound.results.v1")


@dataclass
class Phase:
    name: str
    rate: float
    seconds: float
    numbers: list[str]
    sent_at: float = 0.0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)


async def ready(url: str, process: subprocess.Popen[bytes], within: float = 60) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{url} exited with {process.returncode}")
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit(f"{url} not ready after {within}s")


async def drive(sim: str, phase: Phase) -> None:
    """Open loop: request i is due at start + i/rate, whatever the previous ones did."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=sim, limits=limits, timeout=30) as client:

        async def one(number: str) -> None:
            body = {"from": number, "to": LINE, "text": "STOP"}
            try:
                answer = await client.post("/sim/messages/inbound", json=body)
                kind = None if answer.status_code == 201 else f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                kind = type(exc).__name__
            if kind is not None:
                phase.errors += 1
                phase.error_kinds[kind] = phase.error_kinds.get(kind, 0) + 1

        started = time.perf_counter()
        tasks = []
        for i, number in enumerate(phase.numbers):
            delay = started + i / phase.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(number)))
        await asyncio.gather(*tasks)
        phase.sent_at = time.perf_counter() - started


@dataclass
class Timings:
    total: list[float]
    """webhook accepted → consent change recorded in the committing transaction"""
    waiting: list[float]
    """webhook accepted → the handler's transaction began (Kafka, the consumer's queue)"""
    handling: list[float]
    """the transaction began → the change recorded (the handler's own work)"""


async def latencies(dsn: str, schema: str, numbers: list[str], wait: float) -> Timings:
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + wait
        query = (
            "SELECT extract(epoch FROM l.recorded_at - l.ingested_at), "
            "extract(epoch FROM p.processed_at - l.ingested_at), "
            "extract(epoch FROM l.recorded_at - p.processed_at) "
            f"FROM {schema}.consent_ledger l JOIN {schema}.processed_events p "
            "ON p.dedupe_key = l.dedupe_key WHERE l.phone = ANY($1::text[])"
        )
        while True:
            rows = await connection.fetch(query, numbers)
            if len(rows) >= len(numbers) or time.monotonic() > deadline:
                return Timings(*(sorted(float(row[i]) for row in rows) for i in range(3)))
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def report(phase: Phase, timings: Timings) -> str:
    values = timings.total
    if not values:
        return f"{phase.name:10} no suppressions recorded"
    return (
        f"{phase.name:10} {phase.rate:5.0f}/s x {phase.seconds:4.0f} s  "
        f"sent {len(phase.numbers):5}  "
        f"suppressed {len(values):5}  errors {phase.errors}{phase.error_kinds or ''}  "
        f"p50 {percentile(values, 0.50):6.3f} s  p90 {percentile(values, 0.90):6.3f} s  "
        f"p99 {percentile(values, 0.99):6.3f} s  max {values[-1]:6.3f} s  "
        f"mean {statistics.fmean(values):6.3f} s\n"
        f"{'':10} waiting for the consumer p50 {percentile(timings.waiting, 0.5):6.3f} s  "
        f"p99 {percentile(timings.waiting, 0.99):6.3f} s; handling p50 "
        f"{percentile(timings.handling, 0.5):6.3f} s  "
        f"p99 {percentile(timings.handling, 0.99):6.3f} s"
    )


async def main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    run = uuid.uuid4().hex[:8]
    schema, group = f"bench_{run}", f"compliance-bench-{run}"
    topics = {name: f"bench.{run}.{name}" for name in (*INGEST_TOPICS, *EXTRA_TOPICS)}
    dlq = dlq_topic(topics["openphone.messages.v1"], group)
    every_topic = [*topics.values(), dlq]
    logs = Path(os.environ.get("TMPDIR", "/tmp"))
    names = ["sim", "ingest", *(f"compliance-{n + 1}" for n in range(args.compliance_processes))]
    ports = {name: free_port() for name in names}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    engine = make_engine(database_url, schema=schema)
    processes: list[subprocess.Popen[bytes]] = []
    await ensure_topics(bootstrap, every_topic, partitions=6)
    try:
        await upgrade(database_url, schema=schema, script_location=MIGRATIONS)
        common = {"SMSBUS_LOG_LEVEL": "WARNING", "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
                  "SMSBUS_DATABASE_URL": database_url, **SERVICE_ENV}  # fmt: skip
        sim = start("smsbus.openphone_sim", common | {
            "SMSBUS_SIM_PORT": str(ports["sim"]), "SMSBUS_SIM_API_KEYS": API_KEY,
            "SMSBUS_SIM_SIGNING_KEY": SIGNING_KEY, "SMSBUS_SIM_LINES": LINE,
            "SMSBUS_SIM_WEBHOOK_URLS": f"{urls['ingest']}/webhooks/openphone",
            "SMSBUS_SIM_DEMO_HISTORY": "false", "SMSBUS_SIM_FAILING_NUMBERS": "",
        }, logs / f"bench-{run}-sim.log")  # fmt: skip
        ingest = start("smsbus.ingest", common | {
            "SMSBUS_INGEST_PORT": str(ports["ingest"]), "SMSBUS_INGEST_SIGNING_KEYS": SIGNING_KEY,
            "SMSBUS_INGEST_TOPIC_OVERRIDES": json.dumps(topics),
        }, logs / f"bench-{run}-ingest.log")  # fmt: skip
        processes += [sim, ingest]
        for name in names[2:]:  # members of one consumer group
            processes.append(start("smsbus.compliance", common | {
                "SMSBUS_COMPLIANCE_PORT": str(ports[name]),
                "SMSBUS_OPENPHONE_BASE_URL": urls["sim"], "SMSBUS_OPENPHONE_API_KEY": API_KEY,
                "SMSBUS_COMPLIANCE_DB_SCHEMA": schema, "SMSBUS_COMPLIANCE_GROUP_ID": group,
                "SMSBUS_COMPLIANCE_TOPIC_OVERRIDES": json.dumps(topics),
                "SMSBUS_COMPLIANCE_EGRESS_SENDING": "true" if args.replies == "on" else "false",
                "SMSBUS_CONSUMER_BATCH_RECORDS": str(args.batch_records),
            }, logs / f"bench-{run}-{name}.log"))  # fmt: skip
        for name, process in zip(names, processes, strict=True):
            await ready(f"{urls[name]}/readyz", process)
        await asyncio.sleep(2)  # the consumer group's first assignment

        warmup = Phase("warm-up", args.rate, 2, numbers_for(int(args.rate * 2), 0))
        base_count = int(args.baseline_rate * args.baseline_duration)
        baseline = Phase(
            "baseline", args.baseline_rate, args.baseline_duration, numbers_for(base_count, 100_000)
        )
        load_count = int(args.rate * args.duration)
        load = Phase("load", args.rate, args.duration, numbers_for(load_count, 200_000))
        results, cpu = {}, {}
        for phase in (warmup, baseline, load):
            before = [cpu_seconds(p.pid) for p in processes]
            wall = time.perf_counter()
            await drive(urls["sim"], phase)
            results[phase.name] = await latencies(dsn, schema, phase.numbers, wait=120)
            wall = time.perf_counter() - wall
            cpu[phase.name] = [
                (cpu_seconds(p.pid) - b) / wall for p, b in zip(processes, before, strict=True)
            ]
            await asyncio.sleep(1)
    finally:
        stop_all(processes)
        await drop_schema(engine, schema)
        await engine.dispose()
        await delete_topics(bootstrap, every_topic)

    command = "./uv run python bench/compliance/run.py " + " ".join(sys.argv[1:])
    command = command.strip() + f"  (defaults: --rate {args.rate:g} --duration {args.duration:g})"
    say(
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before the run; "
        "sim, ingest, compliance as processes; Kafka, PostgreSQL local"
    )
    say("webhook accepted (ingest recorded_at) -> suppression committed (ledger recorded_at)")
    for phase in (baseline, load):
        say(report(phase, results[phase.name]))
        shares = "  ".join(
            f"{name} {share:4.0%}" for name, share in zip(names, cpu[phase.name], strict=True)
        )
        say(f"{'':10} cpu (of one core, send to last suppression): {shares}")
    base, loaded = results["baseline"].total, results["load"].total
    if base and loaded:
        say(
            f"load/baseline: p50 {percentile(loaded, 0.5) / percentile(base, 0.5):.2f}x  "
            f"p99 {percentile(loaded, 0.99) / percentile(base, 0.99):.2f}x"
        )
    say(f"reproduce: {command.strip()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--baseline-rate", type=float, default=10.0)
    parser.add_argument("--baseline-duration", type=float, default=10.0)
    parser.add_argument("--replies", choices=("on", "off"), default="on")
    parser.add_argument(
        "--compliance-processes", type=int, default=1, help="members of the consumer group"
    )
    parser.add_argument(
        "--batch-records", type=int, default=500, help="records per transaction at most"
    )
    asyncio.run(main(parser.parse_args()))
