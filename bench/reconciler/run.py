"""bench/reconciler: how long one reconciliation run takes for N conversations updated in the
window, how many OpenPhone REST requests it makes, and what bounds it.

    ./uv run python bench/reconciler/run.py [--sizes 100,300,1000] [--paced 300] [--repeat 1]

For every case: a fresh OpenPhone simulator in this process (`running_simulator`, no demo
history, no webhooks, no server-side rate limit), a fresh reconciler app in this process
(`create_app`, schedule off) on a schema of its own (migrated, dropped afterwards) and topics of
its own (created, deleted afterwards), against the broker and PostgreSQL named by
SMSBUS_KAFKA_BOOTSTRAP / SMSBUS_DATABASE_URL (defaults: the local stack).

The simulator is seeded with N conversations spread over its two lines, none seen by a
webhook: each gets an incoming text and an outgoing reply (delivered), every 4th an answered
call, every 8th with a recording. Facts expected: N message.received + N message.delivered +
N/4 call.completed + N/8 call.recording.completed. The reconciler's clock is then stepped past
the grace period (as its integration tests do) and `POST /runs` is timed.

Cases:
- `unpaced` (every size in --sizes): the OpenPhone client's pacing lifted (a bucket of 1e9/s),
  so the run goes as fast as the reconciler + simulator can: the reconciler's own ceiling.
- `10 rps` (--paced N, 0 to skip): the client exactly as the service builds it (the shared
  bucket, 10 requests/s, burst 5): what a run against OpenPhone takes.
- `30% of 8.5 rps` (--share-n N, 0 by default): the deep pass as the service builds it, held to
  SMSBUS_RECONCILER_DEEP_SHARE of the key's SMSBUS_OPENPHONE_RATE: its capacity.
- `10 rps +M ms` (--slow-ms M, N from --slow-n): the same, with every REST answer held back M ms
  by the simulator's `slow` fault: whether SMSBUS_RECONCILER_CONCURRENCY (4 conversations at
  once) keeps the pacing, not the round trip, as the bound.

REST requests are counted at the simulator (`GET /sim/requests`, the entries logged during the
run). "rtt" is the time the reconciler's client spent waiting on HTTP round trips (a transport
wrapper; the simulator's handling is inside it, since it runs in this event loop). The baseline,
measured in the same case: the very same GET requests replayed one after the other with a bare
httpx client (no pacing, no parsing, no reconciler), i.e. what the simulator + loopback HTTP cost.

Exits 1 if a run does not succeed, checks a different number of conversations / messages /
calls than were created, emits a different number of events than facts created, or the relay
does not get exactly that many records onto the topics.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from instruments import STATEMENTS, TimedTransport
from report import Result, conclusion, say, short, table
from sqlalchemy import text
from workload import (
    GRACE,
    StepClock,
    own_schema,
    own_topics,
    parse_at,
    replay,
    seed,
    sim_requests,
    until,
)

from smsbus.openphone import Budget, OpenPhoneClient
from smsbus.openphone.ratelimit import TokenBucket
from smsbus.openphone_sim.testing import running_simulator, serving
from smsbus.reconciler.app import create_app
from smsbus.reconciler.pacing import Lane
from smsbus.reconciler.settings import Settings
from smsbus.runtime.offsets import topic_size
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP
from smsbus.runtime.testing import service_fields

sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token
from bench_auth import HEADERS, TOKENS

KEY_RATE = 8.5
"""SMSBUS_OPENPHONE_RATE's default: the key's shared budget."""


async def run_case(
    *,
    case: str,
    size: int,
    paced: bool,
    bootstrap: str,
    database_url: str,
    baseline: bool,
    slow: float = 0.0,
    share: float = 0.0,
) -> Result:
    tag = uuid.uuid4().hex[:10]
    schema, group = f"bench_rec_{tag}", f"bench-reconciler-{tag}"
    clock = StepClock()
    transport = TimedTransport()
    async with (
        running_simulator(speed=1000, demo_history=False, rate_limit_per_second=0) as sim,
        own_topics(bootstrap, tag, group) as topics,
        own_schema(database_url, schema) as engine,
    ):
        seeded = await seed(sim, size)
        stack = service_fields(
            database_url=database_url, bootstrap=bootstrap, topics=topics, schema=schema,
            group=group, openphone=sim,
        )  # fmt: skip
        settings = Settings(**stack, SMSBUS_API_TOKENS=TOKENS, schedule=False, grace_seconds=GRACE)
        http = httpx.AsyncClient(transport=transport, timeout=30.0, trust_env=False)
        # Paced: exactly what the service builds (the process-wide 10/s bucket of this key).
        bucket: Budget | None = None if paced else TokenBucket(rate=1e9, burst=1)
        if share:  # the deep pass's lane: `share` of the key's 8.5/s, as the service builds it
            bucket = Lane(TokenBucket(rate=KEY_RATE, burst=1), rate=share * KEY_RATE)
        client = OpenPhoneClient(
            api_key=sim.api_key, base_url=sim.base_url, http_client=http, bucket=bucket
        )
        app = create_app(settings, clock=clock, openphone=client)
        async with (
            http,
            serving(app, name="reconciler") as url,
            httpx.AsyncClient(base_url=url, headers=HEADERS, timeout=None, trust_env=False) as api,
        ):

            async def ready() -> bool:
                return (await api.get("/readyz")).status_code == 200

            await until(ready, within=60)
            if slow:  # every REST answer this much later (a far-away API), after seeding
                await sim.faults(slow_rate=1.0, slow_seconds=slow)
            clock.offset = timedelta(seconds=GRACE + 5)  # every seeded fact is past grace
            logged_before = len(await sim_requests(sim))
            transport.count, transport.seconds = 0, 0.0
            STATEMENTS.reset()
            cpu0, t0 = time.process_time(), time.perf_counter()
            response = await api.post("/runs", params={"wait": "true"})
            wall = time.perf_counter() - t0
            cpu = time.process_time() - cpu0
            STATEMENTS.on = False
            sql, sql_seconds = STATEMENTS.kinds, STATEMENTS.seconds
            t_answer = datetime.now(UTC)
            response.raise_for_status()
            run: dict[str, Any] = response.json()

            async def drained() -> bool:
                async with engine.connect() as conn:
                    query = text("SELECT count(*) FROM outbox WHERE published_at IS NULL")
                    return (await conn.execute(query)).scalar_one() == 0

            await until(drained, within=300)
            drain = (datetime.now(UTC) - t_answer).total_seconds()
            on_topics = sum([await topic_size(bootstrap, name) for name in topics.values()])
            entries = (await sim_requests(sim))[logged_before:]
            started = parse_at(run["started_at"]) - clock.offset
            finished = parse_at(run["finished_at"] or run["started_at"]) - clock.offset
            if entries:
                first, last = parse_at(entries[0]["at"]), parse_at(entries[-1]["at"])
            else:
                first = last = started
        # The reconciler is stopped: the replay has the simulator and the loop to itself.
        base = await replay(sim, entries) if baseline else None

    expected = sum(seeded.facts.values())
    problems = []
    if run["status"] != "succeeded":
        problems.append(f"status {run['status']}: {short(run['error'])}")
    checked = (run["conversations_checked"], run["messages_checked"], run["calls_checked"])
    if checked != (seeded.conversations, seeded.messages, seeded.calls):
        problems.append(
            f"checked {checked}, created {seeded.conversations, seeded.messages, seeded.calls}"
        )
    if run["emitted"] != expected or dict(run["missing"]) != dict(seeded.facts):
        problems.append(f"emitted {run['missing']}, facts created {dict(seeded.facts)}")
    if on_topics != expected:
        problems.append(f"{on_topics} records on the topics, {expected} facts created")
    statuses = Counter(int(e["status"]) for e in entries)
    if set(statuses) != {200}:
        problems.append(f"REST answers {dict(statuses)}")
    return Result(
        case=case,
        size=size,
        status=run["status"],
        wall=wall,
        cpu=cpu,
        requests=len(entries),
        by_path=Counter(e["path"] for e in entries),
        statuses=statuses,
        rtt=transport.seconds,
        conversations=run["conversations_checked"],
        messages=run["messages_checked"],
        calls=run["calls_checked"],
        emitted=run["emitted"],
        expected=expected,
        on_topics=on_topics,
        drain=drain,
        before_rest=(first - started).total_seconds(),
        rest_phase=(last - first).total_seconds(),
        after_rest=(finished - last).total_seconds(),
        baseline=base,
        sql=sql,
        sql_seconds=sql_seconds,
        error=run["error"],
        problems=problems,
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,300,1000", help="conversations per unpaced run")
    parser.add_argument("--paced", type=int, default=300, help="N for the 10 rps run; 0: none")
    parser.add_argument(
        "--slow-ms", type=int, default=0, help="also a 10 rps run whose REST answers wait this long"
    )
    parser.add_argument("--slow-n", type=int, default=100, help="N for the --slow-ms run")
    parser.add_argument(
        "--share-n", type=int, default=0, help="also a run held to --share of 8.5 rps; 0: none"
    )
    parser.add_argument("--share", type=float, default=0.3, help="the deep pass's share")
    parser.add_argument("--repeat", type=int, default=1, help="repeat every case this often")
    parser.add_argument("--no-baseline", action="store_true", help="skip the replay baseline")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    cases: list[tuple[str, int, bool, float]] = [("unpaced", size, False, 0.0) for size in sizes]
    if args.paced:
        cases.append(("10 rps", args.paced, True, 0.0))
    if args.slow_ms:
        cases.append((f"10 rps +{args.slow_ms} ms", args.slow_n, True, args.slow_ms / 1000))
    shared = [(f"{args.share:.0%} of {KEY_RATE:g} rps", args.share_n, True, 0.0, args.share)]
    runs = [(*case, 0.0) for case in cases] + (shared if args.share_n else [])
    say(f"bench/reconciler {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, cases {runs}")
    results: list[Result] = []
    for _ in range(args.repeat):
        for case, size, paced, slow, share in runs:
            say(f"... {case} N={size}")
            result = await run_case(
                case=case,
                size=size,
                paced=paced,
                bootstrap=bootstrap,
                database_url=database_url,
                baseline=not paced and not args.no_baseline,
                slow=slow,
                share=share,
            )
            results.append(result)
            say(
                f"    {result.status} in {result.wall:.2f}s, {result.requests} requests, "
                f"emitted {result.emitted}/{result.expected}"
                + (f" ({short(result.error)})" if result.error else "")
            )
    say()
    table(results)
    conclusion(results)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
