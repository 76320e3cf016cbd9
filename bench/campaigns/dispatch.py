"""bench/campaigns: members dispatched per second, limits lifted, and the engine's peak memory.

    uv run python bench/campaigns/dispatch.py [--members 100000] [--batch 500] [--concurrency 32]

Runs campaign-engine (`python -m smsbus.campaigns`) and compliance (`python -m smsbus.compliance`)
as processes of their own, on schemas and topics of their own (dropped afterwards), against the
OpenPhone simulator served in this process (no rate limit, no webhooks). Imports `--members`
contacts (valid mainland US mobile-format numbers) through the engine's API, adds them to one
campaign with every limit lifted (no daily limit, no gap, every day 00:00-23:59; the engine's
clock is set to a Tuesday 13:00 EST so every member is inside the federal and state hours) and
starts it. Each member then goes the whole way: claim (FOR UPDATE SKIP LOCKED), compliance's
eligibility over HTTP, rules + render, intent committed, POST /v1/messages to the simulator,
result recorded with member.sent in the outbox (relayed to Kafka).

Prints members/s from start to the last member sent, the engine's peak RSS (VmHWM) and the CPU
each process used, and, measured in the same run as baselines, the two legs alone: raw sends to
the simulator at the same concurrency, and compliance's eligibility at the same batch size.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import phonenumbers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.campaigns
import smsbus.compliance
from smsbus.ingest.testing import free_port
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

CLOCK = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # Tuesday 13:00 EST, 10:00 PST
TEMPLATE = "Hi {first_name}, spring fence deals. Reply STOP to opt out"
AREAS = ["212", "312", "617", "404", "713", "602", "303", "206", "415", "503", "615", "919"]
TICKS = os.sysconf("SC_CLK_TCK")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def numbers(count: int, *, exchange_from: int = 234) -> list[str]:
    found: list[str] = []
    i = 0
    while len(found) < count:
        area = AREAS[i % len(AREAS)]
        rest = i // len(AREAS)
        candidate = f"+1{area}{exchange_from + rest // 10000 % 600}{rest % 10000:04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            found.append(candidate)
        i += 1
    return found


def proc(pid: int) -> tuple[int, int, float]:
    """(VmRSS, VmHWM) in KiB and CPU seconds of a process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(stat[11]) + int(stat[12])) / TICKS
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0]), cpu


async def until(check: Callable[[], Awaitable[bool]], within: float, every: float = 0.3) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {within}s")
        await asyncio.sleep(every)


async def ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async def check() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited; its log: {log}")
        try:
            async with httpx.AsyncClient(timeout=5, trust_env=False) as http:
                return (await http.get(f"{url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    await until(check, within=120)


def spawn(module: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", module],
            env={**os.environ, **env, "SMSBUS_LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def send_many(base_url: str, key: str, line: str, count: int, concurrency: int) -> float:
    """Raw POST /v1/messages, `concurrency` at a time; runs in a process of its own (below)."""
    targets = numbers(count, exchange_from=800)
    limit = asyncio.Semaphore(concurrency)
    headers = {"Authorization": key}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:

        async def one(phone: str) -> None:
            async with limit:
                body = {"content": "baseline", "from": line, "to": [phone]}
                (await http.post("/v1/messages", json=body)).raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one(p) for p in targets))
        return count / (time.perf_counter() - started)


async def baseline_sends(sim: RunningSimulator, count: int, concurrency: int) -> float:
    """The send leg's ceiling: raw sends from a client process of their own (the simulator runs
    in this one, as it does while the engine dispatches)."""
    args = [sim.base_url, sim.api_key, sim.lines[1], str(count), str(concurrency)]
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--send-baseline", *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return float(out.decode().strip().splitlines()[-1])


async def baseline_eligibility(url: str, phones: list[str], batch: int) -> float:
    """POST /v1/eligibility in the engine's batch size, one at a time: the eligibility leg."""
    async with httpx.AsyncClient(base_url=url, timeout=60, trust_env=False) as http:
        started = time.perf_counter()
        for start in range(0, len(phones), batch):
            chunk = phones[start : start + batch]
            answer = await http.post(
                "/v1/eligibility", json={"phones": chunk, "purpose": "marketing"}
            )
            answer.raise_for_status()
        return len(phones) / (time.perf_counter() - started)


async def main(args: argparse.Namespace) -> None:
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    run = f"{int(time.time())}"
    schemas = {"campaigns": f"bench_campaigns_{run}", "compliance": f"bench_compliance_{run}"}
    topics = {
        name: f"bench.{run}.{name}.v1" for name in ("messages", "contacts", "consent", "events")
    }
    say("$ " + " ".join(shlex.quote(a) for a in ["uv", "run", "python", *sys.argv]))
    say(f"members={args.members} batch={args.batch} concurrency={args.concurrency}")
    say(f"cpus={os.cpu_count()} load={os.getloadavg()} at {datetime.now(UTC):%Y-%m-%d %H:%M}Z")
    for module, schema in ((smsbus.campaigns, schemas["campaigns"]),
                           (smsbus.compliance, schemas["compliance"])):  # fmt: skip
        migrations = Path(str(module.__file__)).parent / "migrations"
        await upgrade(database_url, schema=schema, script_location=migrations)
    await ensure_topics(bootstrap, topics.values(), partitions=3)
    db = make_engine(database_url, schema=schemas["campaigns"])
    logs = Path(tempfile.mkdtemp(prefix="bench-campaigns-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        async with running_simulator(
            demo_history=False, rate_limit_per_second=0, speed=1000
        ) as sim:
            shared = {
                "SMSBUS_DATABASE_URL": database_url, "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
                "SMSBUS_OPENPHONE_BASE_URL": sim.base_url, "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
            }  # fmt: skip
            compliance_port, engine_port = free_port(), free_port()
            compliance_url = f"http://127.0.0.1:{compliance_port}"
            engine_url = f"http://127.0.0.1:{engine_port}"
            compliance = spawn("smsbus.compliance", shared | {
                "SMSBUS_COMPLIANCE_PORT": str(compliance_port),
                "SMSBUS_COMPLIANCE_DB_SCHEMA": schemas["compliance"],
                "SMSBUS_COMPLIANCE_GROUP_ID": f"bench-compliance-{run}",
                "SMSBUS_COMPLIANCE_MESSAGES_TOPIC": topics["messages"],
                "SMSBUS_COMPLIANCE_CONSENT_TOPIC": topics["consent"],
                "SMSBUS_COMPLIANCE_MARKETING_REQUIRES_EXPRESS_CONSENT": "false",
            }, logs / "compliance.log")  # fmt: skip
            processes.append(compliance)
            engine = spawn("smsbus.campaigns", shared | {
                "SMSBUS_CAMPAIGNS_PORT": str(engine_port),
                "SMSBUS_CAMPAIGNS_DB_SCHEMA": schemas["campaigns"],
                "SMSBUS_CAMPAIGNS_GROUP_ID": f"bench-campaigns-{run}",
                "SMSBUS_CAMPAIGNS_MESSAGES_TOPIC": topics["messages"],
                "SMSBUS_CAMPAIGNS_CONTACTS_TOPIC": topics["contacts"],
                "SMSBUS_CAMPAIGNS_CONSENT_TOPIC": topics["consent"],
                "SMSBUS_CAMPAIGNS_EVENTS_TOPIC": topics["events"],
                "SMSBUS_CAMPAIGNS_COMPLIANCE_URL": compliance_url,
                "SMSBUS_CAMPAIGNS_OPENPHONE_RATE": "1000000",
                "SMSBUS_CAMPAIGNS_DISPATCH_BATCH": str(args.batch),
                "SMSBUS_CAMPAIGNS_SEND_CONCURRENCY": str(args.concurrency),
                "SMSBUS_CAMPAIGNS_DISPATCH_INTERVAL": "0.05",
                "SMSBUS_CAMPAIGNS_CLOCK_START": CLOCK.isoformat(),
            }, logs / "campaign-engine.log")  # fmt: skip
            processes.append(engine)
            await ready(compliance_url, compliance, logs / "compliance.log")
            await ready(engine_url, engine, logs / "campaign-engine.log")
            idle_rss = proc(engine.pid)[0]

            phones = numbers(args.members)
            send_rate = await baseline_sends(sim, args.baseline, args.concurrency)
            eligibility_rate = await baseline_eligibility(
                compliance_url, phones[: args.baseline], args.batch
            )

            async with httpx.AsyncClient(base_url=engine_url, timeout=600, trust_env=False) as api:
                started = time.perf_counter()
                body = "first_name,phone\n" + "".join(f"P{i},{p}\n" for i, p in enumerate(phones))
                files = {"file": ("audience.csv", io.BytesIO(body.encode()), "text/csv")}
                imported = (await api.post("/v1/contacts", files=files)).json()
                assert imported["imported"] == args.members, imported
                campaign = (await api.post("/v1/campaigns", json={
                    "name": "bench", "line": sim.lines[0], "daily_limit": None, "min_gap_days": 0,
                    "window": {"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59"},
                    "variants": [{"name": "A", "template": TEMPLATE}],
                })).json()  # fmt: skip
                added = await api.post(
                    f"/v1/campaigns/{campaign['id']}/members",
                    json={"contact_ids": imported["contact_ids"]},
                )
                assert added.json()["added"] == args.members, added.text
                setup = time.perf_counter() - started
                loaded_rss, _, engine_cpu0 = proc(engine.pid)
                compliance_cpu0 = proc(compliance.pid)[2]
                own_cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])

                started = time.perf_counter()
                await api.post(f"/v1/campaigns/{campaign['id']}/start")
                done, samples, last = 0, [], started
                while done < args.members:
                    await asyncio.sleep(1.0)
                    counts = await status_counts(db)
                    done = args.members - counts.get("pending", 0) - counts.get("sending", 0)
                    now = time.perf_counter()
                    samples.append((now - started, done))
                    if now - last >= 15:
                        mib = proc(engine.pid)[0] // 1024
                        say(f"  {now - started:6.1f}s {done:>7} done  rss={mib} MiB  {counts}")
                        last = now
                    if now - started > args.timeout:
                        raise TimeoutError(f"{done} of {args.members} after {args.timeout}s")
                elapsed = time.perf_counter() - started
                rss, peak, engine_cpu = proc(engine.pid)
                compliance_cpu = proc(compliance.pid)[2]
                own_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
            outgoing = await sim.messages(direction="outgoing")
            sent = len([m for m in outgoing if "fence deals" in m["text"]])
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for schema in schemas.values():
            await drop_schema(db, schema)
        await db.dispose()
        await delete_topics(bootstrap, topics.values())

    rate = args.members / elapsed
    mid = [s for s in samples if 0.1 * args.members <= s[1] <= 0.9 * args.members]
    steady = (mid[-1][1] - mid[0][1]) / (mid[-1][0] - mid[0][0]) if len(mid) > 1 else rate
    engine_used, compliance_used = engine_cpu - engine_cpu0, compliance_cpu - compliance_cpu0
    say(f"audience import + members: {setup:.1f}s ({args.members / setup:,.0f} members/s)")
    say(f"DISPATCHED {args.members:,} members in {elapsed:.1f}s: {rate:,.0f} members/s")
    say(f"  between 10 % and 90 % done: {steady:,.0f} members/s")
    say(f"  the simulator got {sent:,} campaign messages")
    own_used = own_cpu - own_cpu0
    say(f"ENGINE RSS: peak (VmHWM) {peak // 1024} MiB; idle {idle_rss // 1024} MiB, "
        f"audience loaded {loaded_rss // 1024} MiB, at the end {rss // 1024} MiB")  # fmt: skip
    say(f"CPU while dispatching: engine {engine_used:.0f}s ({engine_used / elapsed:.0%} of a "
        f"core), compliance {compliance_used:.0f}s ({compliance_used / elapsed:.0%}), "
        f"bench + simulator {own_used:.0f}s ({own_used / elapsed:.0%})")  # fmt: skip
    say(f"baselines, {args.baseline:,} requests each, same run:")
    say(f"  raw POST /v1/messages to the simulator, {args.concurrency} at a time: "
        f"{send_rate:,.0f}/s (engine/raw {rate / send_rate:.2f})")  # fmt: skip
    say(f"  compliance eligibility in batches of {args.batch}: {eligibility_rate:,.0f} numbers/s "
        f"(engine/eligibility {rate / eligibility_rate:.2f})")  # fmt: skip
    say(f"logs: {logs}")


async def status_counts(db: AsyncEngine) -> dict[str, int]:
    async with db.connect() as conn:
        rows = await conn.execute(text("SELECT status, count(*) FROM members GROUP BY status"))
        return {status: int(count) for status, count in rows.all()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="SMSBUS_CAMPAIGNS_DISPATCH_BATCH")
    parser.add_argument("--concurrency", type=int, default=32, help="SEND_CONCURRENCY")
    parser.add_argument("--baseline", type=int, default=5000, help="requests per baseline")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--send-baseline", nargs=5, help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.send_baseline:
        url, key, line, count, concurrency = parsed.send_baseline
        say(str(asyncio.run(send_many(url, key, line, int(count), int(concurrency)))))
    else:
        asyncio.run(main(parsed))
