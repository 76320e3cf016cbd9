"""The whole way (`dispatch.py --path egress`): members sent per second through compliance's
egress, limits lifted.

Each member goes the whole way: claim (FOR UPDATE SKIP LOCKED), compliance's eligibility over
HTTP, rules + render, intent and send.requested committed, relayed to outbound.requests.v1;
compliance consumes it (a row in outbound_messages), the egress gates it (unlocked, then under
the number's lock, with GET /v1/campaigns/{id} on the engine), books a slot of the shared budget
(PostgreSQL; `--rate` requests/s with a burst of `--burst` instead of production's 9.5 and 1),
POSTs it to the simulator and commits the result with send.accepted, relayed to
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
import re
import resource
import sys
import time

import httpx
from rig import (
    ENTRY,
    Options,
    Services,
    baseline_eligibility,
    running_services,
    service_api,
    status_counts,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from stack import Tree, numbers, proc, say

from smsbus.compliance.egress.sender import BULK
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator


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
        sys.executable, str(ENTRY), "--send-baseline", *args, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return float(out.decode().strip().splitlines()[-1])


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
    say(f"members={args.members} batch={args.batch} rate={args.rate}/s burst={args.burst} "
        f"egress bulk slots={BULK.concurrency}")  # fmt: skip
    options = Options(
        batch=args.batch, rate=args.rate, burst=args.burst, egress_batch=args.egress_batch
    )
    async with (
        running_simulator(demo_history=False, rate_limit_per_second=0, speed=1000) as sim,
        running_services(Tree.working(), sim, options) as services,
    ):
        await the_whole_way(args, sim, services)


async def the_whole_way(
    args: argparse.Namespace, sim: RunningSimulator, services: Services
) -> None:
    engine, compliance = services.engine, services.compliance
    idle_rss = proc(engine.pid)[0]
    phones = numbers(args.members)
    send_rate = await baseline_sends(sim, args.baseline, BULK.concurrency)
    eligibility_rate = await baseline_eligibility(
        services.compliance_url, numbers(args.baseline, exchange_from=800), args.batch
    )
    campaign_id = await services.campaign(sim.lines[0], phones)
    loaded_rss, _, engine_cpu0 = proc(engine.pid)
    compliance_cpu0 = proc(compliance.pid)[2]
    own_cpu0 = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    topics = services.topics
    async with service_api(services.engine_url, timeout=600) as api:
        started = time.perf_counter()
        await services.start(campaign_id)
        done, samples, last = 0, [], started
        while done < args.members:
            await asyncio.sleep(1.0)
            counts = await status_counts(services.db)
            done = args.members - counts.get("pending", 0) - counts.get("sending", 0)
            now_s = time.perf_counter()
            samples.append((now_s - started, done))
            if now_s - last >= 15:
                mib = proc(engine.pid)[0] // 1024
                queued = await where(
                    services.engine_url, services.compliance_url, topics["requests"]
                )
                queued += f", {await campaign_check(api, campaign_id)}"
                say(f"  {now_s - started:6.1f}s {done:>7} done  rss={mib} MiB  {counts}")
                say(f"  {'':>15}  {queued}")
                last = now_s
            if now_s - started > args.timeout:
                raise TimeoutError(f"{done} of {args.members} after {args.timeout}s")
        elapsed = time.perf_counter() - started
        rss, peak, engine_cpu = proc(engine.pid)
        compliance_cpu = proc(compliance.pid)[2]
        own_cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
        final = await status_counts(services.db)
    async with httpx.AsyncClient(timeout=30, trust_env=False) as http:
        exposition = (await http.get(f"{services.compliance_url}/metrics")).text
        engine_exposition = (await http.get(f"{services.engine_url}/metrics")).text
    outgoing = await sim.messages(direction="outgoing")
    sent = len([m for m in outgoing if "fence deals" in m["text"]])
    distinct = len({m["to"][0] if isinstance(m["to"], list) else m["to"]
                    for m in outgoing if "fence deals" in m["text"]})  # fmt: skip
    audited = await audit_counts(services.audit)
    timings = await audit_timings(services.audit)

    rate = args.members / elapsed
    mid = [s for s in samples if 0.1 * args.members <= s[1] <= 0.9 * args.members]
    steady = (mid[-1][1] - mid[0][1]) / (mid[-1][0] - mid[0][0]) if len(mid) > 1 else rate
    engine_used, compliance_used = engine_cpu - engine_cpu0, compliance_cpu - compliance_cpu0
    say(f"SENT {args.members:,} members in {elapsed:.1f}s: {rate:,.0f} members/s")
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
    say(f"CPU while sending: engine {engine_used:.0f}s ({engine_used / elapsed:.0%} of a "
        f"core, {1000 * engine_used / args.members:.1f} ms/member), compliance "
        f"{compliance_used:.0f}s ({compliance_used / elapsed:.0%}, "
        f"{1000 * compliance_used / args.members:.1f} ms/member), "
        f"bench + simulator {own_used:.0f}s ({own_used / elapsed:.0%})")  # fmt: skip
    say(f"baselines, {args.baseline:,} requests each, same run:")
    say(f"  raw POST /v1/messages to the simulator, {BULK.concurrency} at a time: "
        f"{send_rate:,.0f}/s (run/raw {rate / send_rate:.2f})")  # fmt: skip
    say(f"  compliance eligibility in batches of {args.batch}: {eligibility_rate:,.0f} numbers/s "
        f"(run/eligibility {rate / eligibility_rate:.2f})")  # fmt: skip
    say(f"logs: {services.logs}")
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
