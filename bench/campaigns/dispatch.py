"""bench/campaigns: members dispatched per second through compliance's egress, limits lifted.

    uv run python bench/campaigns/dispatch.py [--members 100000] [--batch 500]

Runs campaign-engine (`python -m smsbus.campaigns`) and compliance (its `__main__`, with the
clock and the line cap below) as processes of their own, on schemas and topics of their own
(dropped afterwards), against the OpenPhone simulator served in this process (no rate limit, no
webhooks). Imports `--members` contacts (valid mainland US mobile-format numbers) through the
engine's API, adds them to one marketing campaign with every limit lifted and starts it:

- the campaign: no daily limit, no gap, every day 00:00-23:59;
- the egress: no line daily cap, and the API key's shared budget at `--rate` requests/s with a
  burst of `--burst` (SMSBUS_OPENPHONE_RATE / _BURST; 9.5 and 1 in production);
- both clocks run from a Tuesday 13:00 EST, so every member is inside the federal and state
  hours for the engine's window and for the egress's gate (compliance's clock is shifted by the
  same offset; the engine's is set over its testing API once it is up).

Each member then goes the whole way: claim (FOR UPDATE SKIP LOCKED), compliance's eligibility
over HTTP, rules + render, intent and send.requested committed, relayed to outbound.requests.v1;
compliance consumes it (a row in outbound_messages), the egress gates it (unlocked, then under
the number's lock, with GET /v1/campaigns/{id} on the engine), books a slot of the shared budget
(PostgreSQL), POSTs it to the simulator and commits the result with send.accepted, relayed to
outbound.results.v1; the engine records the member sent with member.sent in its outbox.

Prints members/s from start to the last member sent; every 15 s where the members in `sending`
wait (the engine's outbox, compliance's lag on the requests topic, the egress's open requests)
and how long the engine takes to answer the egress's campaign check; from the egress's audit,
request → POST and POST → result; the consumers' handler time per record; the engine's peak RSS
(VmHWM) and the CPU each process used; and, measured in the same run as baselines, the legs
alone: raw sends to the simulator at the egress's bulk concurrency, and compliance's eligibility
at the same batch size. Exits 1 unless every member was sent exactly once (the simulator's
messages, the members' statuses and the egress's audit).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import phonenumbers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.campaigns
import smsbus.compliance
from smsbus.compliance.egress.sender import BULK
from smsbus.ingest.testing import free_port
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator
from smsbus.runtime.budget import SCHEMA as BUDGET_SCHEMA
from smsbus.runtime.budget import key_id
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

CLOCK = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # Tuesday 13:00 EST, 10:00 PST
TEMPLATE = "Hi {first_name}, spring fence deals. Reply STOP to opt out"
AREAS = ["212", "312", "617", "404", "713", "602", "303", "206", "415", "503", "615", "919"]
TICKS = os.sysconf("SC_CLK_TCK")
TOPICS = ("messages", "contacts", "consent", "events", "requests", "results")


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


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, *command],
            env={**os.environ, **env, "SMSBUS_LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def serve_compliance(offset: float) -> None:
    """compliance as `python -m smsbus.compliance` runs it, with two bench changes: its clock
    runs `offset` seconds from the real one (the campaign's Tuesday afternoon), and the line's
    daily cap is off (an empty SMSBUS_COMPLIANCE_LINE_DAILY_CAP is ignored, i.e. 125)."""
    from smsbus.compliance.app import configure, create_app
    from smsbus.compliance.settings import Settings
    from smsbus.runtime.serving import serve

    settings = Settings(line_daily_cap=None)
    configure(settings)
    shift = timedelta(seconds=offset)
    app = create_app(settings, clock=lambda: datetime.now(UTC) + shift)
    serve(app, host=settings.host, port=settings.port)


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
    in this one, as it does while the egress sends)."""
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


def quantile(exposition: str, histogram: str, labels: str, q: float) -> float | None:
    """A quantile of one histogram child from a /metrics text, interpolated in its bucket as
    Prometheus's histogram_quantile does."""
    pattern = re.compile(
        rf'^{histogram}_bucket\{{(?=[^}}]*{re.escape(labels)})[^}}]*le="([^"]+)"[^}}]*\}} (\S+)$',
        re.MULTILINE,
    )
    buckets = sorted((float(le), float(n)) for le, n in pattern.findall(exposition))
    if not buckets or buckets[-1][1] == 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = upper, count
    return None


async def main(args: argparse.Namespace) -> None:
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    run = f"{int(time.time())}"
    schemas = {"campaigns": f"bench_campaigns_{run}", "compliance": f"bench_compliance_{run}"}
    topics = {name: f"bench.{run}.{name}.v1" for name in TOPICS}
    say("$ " + " ".join(shlex.quote(a) for a in ["uv", "run", "python", *sys.argv]))
    say(f"members={args.members} batch={args.batch} rate={args.rate}/s burst={args.burst} "
        f"egress bulk slots={BULK.concurrency}")  # fmt: skip
    say(f"cpus={os.cpu_count()} load={os.getloadavg()} at {datetime.now(UTC):%Y-%m-%d %H:%M}Z")
    for module, schema in ((smsbus.campaigns, schemas["campaigns"]),
                           (smsbus.compliance, schemas["compliance"])):  # fmt: skip
        migrations = Path(str(module.__file__)).parent / "migrations"
        await upgrade(database_url, schema=schema, script_location=migrations)
    await ensure_topics(bootstrap, topics.values(), partitions=3)
    db = make_engine(database_url, schema=schemas["campaigns"])
    audit = make_engine(database_url, schema=schemas["compliance"])
    logs = Path(tempfile.mkdtemp(prefix="bench-campaigns-"))
    processes: list[subprocess.Popen[bytes]] = []
    budget_key = None
    offset = (CLOCK - datetime.now(UTC)).total_seconds()
    try:
        async with running_simulator(
            demo_history=False, rate_limit_per_second=0, speed=1000
        ) as sim:
            budget_key = key_id(sim.base_url, sim.api_key)
            shared = {"SMSBUS_DATABASE_URL": database_url, "SMSBUS_KAFKA_BOOTSTRAP": bootstrap}
            compliance_port, engine_port = free_port(), free_port()
            compliance_url = f"http://127.0.0.1:{compliance_port}"
            engine_url = f"http://127.0.0.1:{engine_port}"
            compliance = spawn([__file__, "--serve-compliance", str(offset)], shared | {
                "SMSBUS_OPENPHONE_BASE_URL": sim.base_url,
                "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
                "SMSBUS_OPENPHONE_RATE": str(args.rate),
                "SMSBUS_OPENPHONE_BURST": str(args.burst),
                "SMSBUS_COMPLIANCE_PORT": str(compliance_port),
                "SMSBUS_COMPLIANCE_DB_SCHEMA": schemas["compliance"],
                "SMSBUS_COMPLIANCE_GROUP_ID": f"bench-compliance-{run}",
                "SMSBUS_COMPLIANCE_MESSAGES_TOPIC": topics["messages"],
                "SMSBUS_COMPLIANCE_CONSENT_TOPIC": topics["consent"],
                "SMSBUS_COMPLIANCE_REQUESTS_TOPIC": topics["requests"],
                "SMSBUS_COMPLIANCE_RESULTS_TOPIC": topics["results"],
                "SMSBUS_COMPLIANCE_CAMPAIGNS_URL": engine_url,
                "SMSBUS_COMPLIANCE_EGRESS_BATCH": str(args.egress_batch),
                "SMSBUS_COMPLIANCE_MARKETING_REQUIRES_EXPRESS_CONSENT": "false",
            }, logs / "compliance.log")  # fmt: skip
            processes.append(compliance)
            engine = spawn(["-m", "smsbus.campaigns"], shared | {
                "SMSBUS_CAMPAIGNS_PORT": str(engine_port),
                "SMSBUS_CAMPAIGNS_DB_SCHEMA": schemas["campaigns"],
                "SMSBUS_CAMPAIGNS_GROUP_ID": f"bench-campaigns-{run}",
                "SMSBUS_CAMPAIGNS_MESSAGES_TOPIC": topics["messages"],
                "SMSBUS_CAMPAIGNS_CONTACTS_TOPIC": topics["contacts"],
                "SMSBUS_CAMPAIGNS_CONSENT_TOPIC": topics["consent"],
                "SMSBUS_CAMPAIGNS_EVENTS_TOPIC": topics["events"],
                "SMSBUS_CAMPAIGNS_REQUESTS_TOPIC": topics["requests"],
                "SMSBUS_CAMPAIGNS_RESULTS_TOPIC": topics["results"],
                "SMSBUS_CAMPAIGNS_COMPLIANCE_URL": compliance_url,
                "SMSBUS_CAMPAIGNS_DISPATCH_BATCH": str(args.batch),
                "SMSBUS_CAMPAIGNS_DISPATCH_INTERVAL": "0.05",
                "SMSBUS_CAMPAIGNS_CLOCK_START": CLOCK.isoformat(),
                "SMSBUS_CAMPAIGNS_CLOCK_CONTROL": "true",
            }, logs / "campaign-engine.log")  # fmt: skip
            processes.append(engine)
            await ready(compliance_url, compliance, logs / "compliance.log")
            await ready(engine_url, engine, logs / "campaign-engine.log")
            idle_rss = proc(engine.pid)[0]

            phones = numbers(args.members)
            send_rate = await baseline_sends(sim, args.baseline, BULK.concurrency)
            eligibility_rate = await baseline_eligibility(
                compliance_url, phones[: args.baseline], args.batch
            )

            async with httpx.AsyncClient(base_url=engine_url, timeout=600, trust_env=False) as api:
                # The engine's clock on compliance's: both read the same Tuesday afternoon.
                now = datetime.now(UTC) + timedelta(seconds=offset)
                answer = await api.post("/v1/testing/clock", json={"set": now.isoformat()})
                answer.raise_for_status()
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
                    now_s = time.perf_counter()
                    samples.append((now_s - started, done))
                    if now_s - last >= 15:
                        mib = proc(engine.pid)[0] // 1024
                        queued = await where(engine_url, compliance_url, topics["requests"])
                        queued += f", {await campaign_check(api, campaign['id'])}"
                        say(f"  {now_s - started:6.1f}s {done:>7} done  rss={mib} MiB  {counts}")
                        say(f"  {'':>15}  {queued}")
                        last = now_s
                    if now_s - started > args.timeout:
                        raise TimeoutError(f"{done} of {args.members} after {args.timeout}s")
                elapsed = time.perf_counter() - started
                rss, peak, engine_cpu = proc(engine.pid)
                compliance_cpu = proc(compliance.pid)[2]
                own_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
                final = await status_counts(db)
            async with httpx.AsyncClient(timeout=30, trust_env=False) as http:
                exposition = (await http.get(f"{compliance_url}/metrics")).text
                engine_exposition = (await http.get(f"{engine_url}/metrics")).text
            outgoing = await sim.messages(direction="outgoing")
            sent = len([m for m in outgoing if "fence deals" in m["text"]])
            distinct = len({m["to"][0] if isinstance(m["to"], list) else m["to"]
                            for m in outgoing if "fence deals" in m["text"]})  # fmt: skip
            audited = await audit_counts(audit)
            timings = await audit_timings(audit)
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
        if budget_key is not None:  # the simulator's key row in the shared budget
            async with db.begin() as conn:
                await conn.execute(
                    text(f"DELETE FROM {BUDGET_SCHEMA}.api_budgets WHERE key = :key"),
                    {"key": budget_key},
                )
        await db.dispose()
        await audit.dispose()
        await delete_topics(bootstrap, topics.values())

    rate = args.members / elapsed
    mid = [s for s in samples if 0.1 * args.members <= s[1] <= 0.9 * args.members]
    steady = (mid[-1][1] - mid[0][1]) / (mid[-1][0] - mid[0][0]) if len(mid) > 1 else rate
    engine_used, compliance_used = engine_cpu - engine_cpu0, compliance_cpu - compliance_cpu0
    say(f"audience import + members: {setup:.1f}s ({args.members / setup:,.0f} members/s)")
    say(f"DISPATCHED {args.members:,} members in {elapsed:.1f}s: {rate:,.0f} members/s")
    say(f"  between 10 % and 90 % done: {steady:,.0f} members/s")
    say(f"  members by status: {final}")
    say(f"  the simulator got {sent:,} campaign messages to {distinct:,} numbers; "
        f"the egress's audit: {audited}")  # fmt: skip
    wait = quantile(
        exposition, "smsbus_compliance_openphone_budget_wait_seconds", 'priority="marketing"', 0.99
    )
    say("  from the egress's audit (p50 / p99 / max): request → POST "
        f"{timings['queued']}; POST → result committed {timings['sending']}; "
        f"request → result {timings['total']}")  # fmt: skip
    say(f"  budget wait p99 (histogram, marketing): {fmt_ms(wait)}")
    intake = mean(
        exposition,
        "smsbus_compliance_event_handling_duration_seconds",
        f'topic="{topics["requests"]}"',
    )
    results = mean(engine_exposition, "smsbus_campaign_engine_event_handling_duration_seconds",
                   f'topic="{topics["results"]}"')  # fmt: skip
    say(f"  handler time per record (mean): compliance on the requests topic {fmt_ms(intake)}, "
        f"the engine on the results topic {fmt_ms(results)}")  # fmt: skip
    own_used = own_cpu - own_cpu0
    say(f"ENGINE RSS: peak (VmHWM) {peak // 1024} MiB; idle {idle_rss // 1024} MiB, "
        f"audience loaded {loaded_rss // 1024} MiB, at the end {rss // 1024} MiB")  # fmt: skip
    say(f"CPU while dispatching: engine {engine_used:.0f}s ({engine_used / elapsed:.0%} of a "
        f"core, {1000 * engine_used / args.members:.1f} ms/member), compliance "
        f"{compliance_used:.0f}s ({compliance_used / elapsed:.0%}, "
        f"{1000 * compliance_used / args.members:.1f} ms/member), "
        f"bench + simulator {own_used:.0f}s ({own_used / elapsed:.0%})")  # fmt: skip
    say(f"baselines, {args.baseline:,} requests each, same run:")
    say(f"  raw POST /v1/messages to the simulator, {BULK.concurrency} at a time: "
        f"{send_rate:,.0f}/s (run/raw {rate / send_rate:.2f})")  # fmt: skip
    say(f"  compliance eligibility in batches of {args.batch}: {eligibility_rate:,.0f} numbers/s "
        f"(run/eligibility {rate / eligibility_rate:.2f})")  # fmt: skip
    say(f"logs: {logs}")
    everyone = {"sent": args.members}
    if not (sent == distinct == args.members and final == everyone and audited == everyone):
        say("FAILED: not every member was sent exactly once")
        sys.exit(1)


def mean(exposition: str, histogram: str, labels: str) -> float | None:
    """sum / count of one histogram child from a /metrics text."""
    found = {}
    for part in ("sum", "count"):
        pattern = rf"^{histogram}_{part}\{{[^}}]*{re.escape(labels)}[^}}]*\}} (\S+)$"
        values = re.findall(pattern, exposition, re.MULTILINE)
        found[part] = sum(float(v) for v in values)
    return found["sum"] / found["count"] if found["count"] else None


def fmt_ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{1000 * seconds:.1f} ms"


def fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.2f}s"


async def where(engine_url: str, compliance_url: str, topic: str) -> str:
    """Where the members in sending are: the engine's outbox, the requests topic (compliance's
    lag, measured every SMSBUS_LAG_POLL_SECONDS), the egress (its gauge, every 5 s)."""
    async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
        engine = (await http.get(f"{engine_url}/metrics")).text
        compliance = (await http.get(f"{compliance_url}/metrics")).text

    def gauge(exposition: str, name: str) -> str:
        pattern = rf"^{re.escape(name)} (\S+)$"
        values = [float(v) for v in re.findall(pattern, exposition, re.MULTILINE)]
        return f"{sum(values):.0f}" if values else "?"

    outbox = gauge(engine, "smsbus_campaign_engine_outbox_pending_events")
    lag = gauge(compliance, f'smsbus_compliance_consumer_lag_records{{topic="{topic}"}}')
    egress = gauge(compliance, 'smsbus_compliance_egress_open{purpose="marketing"}')
    return f"engine outbox {outbox}, requests lag {lag}, egress open {egress}"


async def campaign_check(api: httpx.AsyncClient, campaign_id: str) -> str:
    """The engine's answer time to what the egress asks before each campaign text."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        (await api.get(f"/v1/campaigns/{campaign_id}")).raise_for_status()
        times.append(time.perf_counter() - started)
    return f"GET campaign {1000 * sorted(times)[2]:.0f} ms (median of 5)"


async def status_counts(db: AsyncEngine) -> dict[str, int]:
    async with db.connect() as conn:
        rows = await conn.execute(text("SELECT status, count(*) FROM members GROUP BY status"))
        return {status: int(count) for status, count in rows.all()}


async def audit_timings(db: AsyncEngine) -> dict[str, str]:
    """Seconds between the audit's times: requested_at (the engine's clock), send_started_at and
    finished_at (compliance's, on the same offset)."""
    spans = {
        "queued": "send_started_at - requested_at",
        "sending": "finished_at - send_started_at",
        "total": "finished_at - requested_at",
    }
    found = {}
    async with db.connect() as conn:
        for name, span in spans.items():
            seconds = f"extract(epoch FROM {span})"
            row = (
                await conn.execute(
                    text(
                        f"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY {seconds}), "
                        f"percentile_cont(0.99) WITHIN GROUP (ORDER BY {seconds}), max({seconds}) "
                        "FROM outbound_messages WHERE status = 'sent'"
                    )
                )
            ).one()
            found[name] = " / ".join(fmt(None if v is None else float(v)) for v in row)
    return found


async def audit_counts(db: AsyncEngine) -> dict[str, int]:
    """compliance's outbound_messages by status: every request and what became of it."""
    async with db.connect() as conn:
        rows = await conn.execute(
            text("SELECT status, count(*) FROM outbound_messages GROUP BY status")
        )
        return {status: int(count) for status, count in rows.all()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="SMSBUS_CAMPAIGNS_DISPATCH_BATCH")
    parser.add_argument("--rate", type=float, default=1000.0, help="SMSBUS_OPENPHONE_RATE")
    parser.add_argument("--burst", type=int, default=100, help="SMSBUS_OPENPHONE_BURST")
    parser.add_argument(
        "--egress-batch", type=int, default=50, help="SMSBUS_COMPLIANCE_EGRESS_BATCH"
    )
    parser.add_argument("--baseline", type=int, default=5000, help="requests per baseline")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--send-baseline", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--serve-compliance", type=float, help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.send_baseline:
        url, key, line, count, concurrency = parsed.send_baseline
        say(str(asyncio.run(send_many(url, key, line, int(count), int(concurrency)))))
    elif parsed.serve_compliance is not None:
        serve_compliance(parsed.serve_compliance)
    else:
        asyncio.run(main(parsed))
