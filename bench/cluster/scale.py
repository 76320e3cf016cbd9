"""bench/cluster: one consumer scaled from 1 to 3 processes under a backlog, drain rate by count.

    ./uv run python bench/cluster/scale.py [--brokers 3] [--replicas 1 2 3]
                                         [--stops 20000] [--messages 40000]
                                         [--cpu-per-process 0.1]

Kafka: `--brokers 3` (the default) starts a cluster of its own with the stack's code, in a
temporary state dir on free ports, replicated as the stack replicates on three brokers (factor 3,
min.insync.replicas 2), and stops it afterwards; `--brokers 0` uses SMSBUS_KAFKA_BOOTSTRAP (the
local stack's). PostgreSQL: SMSBUS_DATABASE_URL (the local stack's).

The backlog is bench/compliance/drain.py's, written once to a topic of 6 partitions (the
stack's): `--stops` STOPs from numbers of their own (a revocation, a suppression, a
confirmation intent and a consent event each) and `--messages` ordinary texts (an inbox row
each). For each count N: a fresh schema and consumer group, N compliance processes started
together as `SMSBUS_REPLICAS=N` runs them (`python -m smsbus.compliance`, egress off), and the
whole backlog drained. The rate counts only what is handled once the group is stable with its
N members (so a rebalance at start is not counted against it), up to the last commit (the
database's timestamps, as drain.py measures). CPU: the N processes' own, and the whole machine's
busy share over the same window.

`--cpu-per-process C` holds each compliance process to C cores (a CFS quota in a cgroup of its
own, as a pod's CPU limit does; root): on a machine of few cores shared with the brokers and
PostgreSQL, that makes each process its own bound, as it is when every process has cores of its
own, so that what scaling out buys shows. Unset, the processes share the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

sys.path.append(str(Path(__file__).resolve().parents[1] / "compliance"))
from cpu_quota import cpu_quota  # bench/cluster (the script's directory)
from drain import EXTRA_TOPICS, fill  # bench/compliance
from process_rig import cpu_seconds, numbers_for, say, start, stop_all  # bench/compliance

from smsbus.cli.stack import commands
from smsbus.cli.stack.components import brokers
from smsbus.cli.stack.config import StackConfig, find_repo_root
from smsbus.cli.stack.processes import free_port_block
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token
from bench_auth import SERVICE_ENV

import smsbus.compliance

MIGRATIONS = Path(smsbus.compliance.__file__).parent / "migrations"
PARTITIONS = 6


@dataclass
class Drained:
    replicas: int
    events: int
    seconds: float
    cpu: float
    """The processes' CPU seconds over the window."""
    busy: float
    """The machine's busy share of all its cores over the window."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def line(self, baseline: Drained | None) -> str:
        ratio = f"{self.rate / baseline.rate:5.2f}x" if baseline else "    -"
        return (
            f"{self.replicas} process{'es' if self.replicas > 1 else '  '} {self.events:7} events "
            f"in {self.seconds:6.2f} s  {self.rate:7.0f}/s  {ratio} of 1  "
            f"compliance cpu {1000 * self.cpu / self.events:5.2f} ms/event  "
            f"machine busy {100 * self.busy:3.0f}%"
        )


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


async def stable_members(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        (described,) = await admin.describe_consumer_groups([group])
    except Exception:
        return 0
    finally:
        await admin.close()
    (found,) = described.to_object()["groups"]
    return len(found["members"]) if found["state"] == "Stable" else 0


async def drain(
    *,
    replicas: int,
    bootstrap: str,
    database_url: str,
    topic: str,
    total: int,
    run: str,
    cpu_per_process: float | None,
) -> Drained:
    schema, group = f"bench_{run}_{replicas}", f"compliance-scale-{run}-{replicas}"
    extra = [f"bench.{run}.{replicas}.{name}" for name in EXTRA_TOPICS]
    await ensure_topics(bootstrap, extra, partitions=PARTITIONS)
    engine = make_engine(database_url, schema=schema)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        await upgrade(database_url, schema=schema, script_location=MIGRATIONS)
        base = {
            **os.environ,
            "SMSBUS_LOG_LEVEL": "WARNING",
            "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
            "SMSBUS_DATABASE_URL": database_url,
            "SMSBUS_COMPLIANCE_DB_SCHEMA": schema,
            "SMSBUS_COMPLIANCE_GROUP_ID": group,
            "SMSBUS_COMPLIANCE_TOPIC_OVERRIDES": json.dumps(
                {"openphone.messages.v1": topic} | dict(zip(EXTRA_TOPICS, extra, strict=True))
            ),
            "SMSBUS_COMPLIANCE_EGRESS_SENDING": "false",
            "SMSBUS_OPENPHONE_API_KEY": "bench-scale-key",
            **SERVICE_ENV,
        }
        logs = Path(tempfile.gettempdir())
        quotas = contextlib.ExitStack()
        for n in range(replicas):
            env = base | {"SMSBUS_COMPLIANCE_PORT": str(free_port_block(1))}
            processes.append(
                start("smsbus.compliance", env, logs / f"bench-scale-{run}-{replicas}-{n}.log")
            )
            if cpu_per_process:
                name = f"smsbus-bench-{run}-{replicas}-{n}"
                quotas.enter_context(cpu_quota(processes[-1].pid, cpu_per_process, name))
        with quotas:
            return await _measure(
                replicas=replicas,
                processes=processes,
                bootstrap=bootstrap,
                group=group,
                dsn=database_url.replace("postgresql+asyncpg://", "postgresql://"),
                schema=schema,
                total=total,
            )
    finally:
        stop_all(processes)
        await drop_schema(engine, schema)
        await engine.dispose()
        await delete_topics(bootstrap, extra)


async def _measure(
    *,
    replicas: int,
    processes: list[subprocess.Popen[bytes]],
    bootstrap: str,
    group: str,
    dsn: str,
    schema: str,
    total: int,
) -> Drained:
    connection = await asyncpg.connect(dsn)
    count = f"SELECT count(*) FROM {schema}.processed_events"
    try:
        deadline = time.monotonic() + 900
        while await stable_members(bootstrap, group) != replicas:
            _alive(processes, deadline)
            await asyncio.sleep(0.05)
        started, handled = time.time(), await connection.fetchval(count)
        cpu_start = sum(cpu_seconds(p.pid) for p in processes)
        busy_start = machine_busy()
        if handled > total / 2:
            raise SystemExit(f"{handled} of {total} handled before the group was stable: more")
        while await connection.fetchval(count) < total:
            _alive(processes, deadline)
            await asyncio.sleep(0.05)
        cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_start
        busy_end = machine_busy()
        last = await connection.fetchval(
            f"SELECT extract(epoch FROM greatest(max(p.processed_at), "
            f"(SELECT max(recorded_at) FROM {schema}.consent_ledger))) "
            f"FROM {schema}.processed_events p"
        )
    finally:
        await connection.close()
    busy = (busy_end[0] - busy_start[0]) / (busy_end[1] - busy_start[1])
    return Drained(replicas, total - handled, float(last) - started, cpu, busy)


def _alive(processes: list[subprocess.Popen[bytes]], deadline: float) -> None:
    if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
        raise SystemExit("a compliance process exited, or the drain took over 15 minutes")


def own_cluster(brokers_wanted: int, state: Path) -> StackConfig:
    """The stack's Kafka alone (`make up`'s first step), in `state`, on free ports."""
    first = free_port_block(2 * brokers_wanted)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SMSBUS_")}
    environ |= {
        "SMSBUS_STATE_DIR": str(state),
        "SMSBUS_KAFKA_BROKERS": str(brokers_wanted),
        "SMSBUS_KAFKA_PORT": str(first),
        "SMSBUS_KAFKA_CONTROLLER_PORT": str(first + 1),
        "SMSBUS_TOPIC_PARTITIONS": str(PARTITIONS),
    }
    return StackConfig.load(repo=find_repo_root(Path(__file__).parent), environ=environ)


async def run(args: argparse.Namespace, bootstrap: str, config: StackConfig | None) -> None:
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    run_id = uuid.uuid4().hex[:8]
    topic = f"bench.{run_id}.openphone.messages.v1"
    replication = config.replication if config else None
    await ensure_topics(
        bootstrap,
        [topic],
        partitions=PARTITIONS,
        replication_factor=replication.factor if replication else 1,
        min_insync_replicas=replication.min_insync if replication else None,
    )
    texts = [("STOP", phone) for phone in numbers_for(args.stops, 0)]
    texts += [("thanks, see you", phone) for phone in numbers_for(args.messages, 1_000_000)]
    try:
        began = time.monotonic()
        await fill(bootstrap, topic, texts, run_id, 0)
        say(f"backlog: {len(texts)} events on {topic} in {time.monotonic() - began:.1f} s")
        results: list[Drained] = []
        for replicas in args.replicas:
            results.append(
                await drain(
                    replicas=replicas,
                    bootstrap=bootstrap,
                    database_url=database_url,
                    topic=topic,
                    total=len(texts),
                    run=run_id,
                    cpu_per_process=args.cpu_per_process,
                )
            )
            say(results[-1].line(results[0] if len(results) > 1 else None))
    finally:
        await delete_topics(bootstrap, [topic])
    where = (
        f"{config.kafka_brokers} brokers of its own (replication factor "
        f"{replication.factor}, min.insync.replicas {replication.min_insync})"
        if config and replication
        else f"Kafka at {bootstrap}"
    )
    quota = f"; each process held to {args.cpu_per_process} cores" if args.cpu_per_process else ""
    say(
        f"\n{os.cpu_count()} CPUs, load average {args.load_before:.1f} before the run; {where}; "
        f"PostgreSQL local; {PARTITIONS} partitions; {args.stops} STOPs + {args.messages} texts"
        f"{quota}"
    )
    for result in results:
        say(result.line(results[0] if result is not results[0] else None))
    say("reproduce: ./uv run python bench/cluster/scale.py " + " ".join(sys.argv[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", type=int, default=3, help="0: SMSBUS_KAFKA_BOOTSTRAP's")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--stops", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=40_000)
    parser.add_argument("--cpu-per-process", type=float, default=None, help="cores (cgroup quota)")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]
    if args.brokers == 0:
        bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
        asyncio.run(run(args, bootstrap, None))
        return
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as state:
        config = own_cluster(args.brokers, Path(state))
        try:
            commands.start(list(brokers(config)))
            asyncio.run(run(args, config.kafka_bootstrap, config))
        finally:
            commands.stop(list(brokers(config)))


if __name__ == "__main__":
    main()
