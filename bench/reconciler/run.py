"""bench/reconciler: how long one reconciliation run takes for N conversations updated in the
window, how many OpenPhone REST requests it makes, and what bounds it.

    uv run python bench/reconciler/run.py [--sizes 100,300,1000] [--paced 300] [--repeat 1]

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
- `10 rps +M ms` (--slow-ms M, N from --slow-n): the same, with every REST answer held back M ms
  by the simulator's `slow` fault: a run makes one request at a time, so once a round trip is
  longer than the 100 ms pacing slot, latency rather than pacing is the bound.

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
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.reconciler
from smsbus.contracts import dlq_topic
from smsbus.openphone import OpenPhoneClient
from smsbus.openphone.ratelimit import TokenBucket
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.reconciler.app import create_app
from smsbus.reconciler.settings import Settings
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.offsets import topic_size
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

MIGRATIONS = Path(smsbus.reconciler.__file__).parent / "migrations"
GRACE = 600.0  # the service's default
SEED_CONCURRENCY = 32


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class StepClock:
    """The reconciler's clock: the wall clock moved ahead by `offset` (facts age past grace)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class TimedTransport(httpx.AsyncBaseTransport):
    """Counts the client's HTTP round trips and the time spent in them."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.count = 0
        self.seconds = 0.0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self.seconds += time.perf_counter() - started
        self.count += 1
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class Statements:
    """Every SQL statement any engine of this process executes, by kind, while `on`."""

    def __init__(self) -> None:
        self.on = False
        self.kinds: Counter[str] = Counter()
        self.seconds = 0.0
        self._started: dict[int, float] = {}
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if self.on:
            self._started[id(cursor)] = time.perf_counter()
            self.kinds[" ".join(statement.split()[:3])] += 1

    def _after(self, _conn: Any, cursor: Any, *_: Any) -> None:
        started = self._started.pop(id(cursor), None)
        if started is not None:
            self.seconds += time.perf_counter() - started

    def reset(self) -> None:
        self.kinds, self.seconds, self.on = Counter(), 0.0, True


STATEMENTS = Statements()


@dataclass
class Seeded:
    conversations: int
    messages: int
    calls: int
    facts: Counter[str] = field(default_factory=Counter)


@dataclass
class Result:
    case: str
    size: int
    status: str
    wall: float
    cpu: float
    requests: int
    by_path: Counter[str]
    statuses: Counter[int]
    rtt: float
    conversations: int
    messages: int
    calls: int
    emitted: int
    expected: int
    on_topics: int
    drain: float
    before_rest: float
    rest_phase: float
    after_rest: float
    baseline: float | None
    sql: Counter[str]
    sql_seconds: float
    error: str | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def short(error: str | None) -> str:
    return (error or "").split("\n")[0][:200]


def external(i: int) -> str:
    return f"+1555{7000000 + i:07d}"  # never one of the simulator's failing numbers


async def seed(sim: RunningSimulator, size: int) -> Seeded:
    """N conversations, half on each line: a text in, a reply out (delivered), some calls."""
    lines = sim.lines
    seeded = Seeded(conversations=size, messages=2 * size, calls=0)
    limit = asyncio.Semaphore(SEED_CONCURRENCY)

    async def one(i: int, op: OpenPhoneClient) -> None:
        line, number = lines[i % len(lines)], external(i)
        async with limit:
            await sim.inbound_message(sender=number, to=line, text=f"hi, quote #{i}?")
            await op.send_message(from_=line, to=number, content=f"Quote #{i} is on its way")
            if i % 4 == 0:
                await sim.inbound_call(sender=number, to=line, recording=i % 8 == 0)

    unpaced = TokenBucket(rate=1e9, burst=1)
    async with OpenPhoneClient(api_key=sim.api_key, base_url=sim.base_url, bucket=unpaced) as op:
        await asyncio.gather(*(one(i, op) for i in range(size)))
    await sim.settle(within=120)
    seeded.calls = len(range(0, size, 4))
    seeded.facts["message.received"] = size
    seeded.facts["message.delivered"] = size
    seeded.facts["call.completed"] = seeded.calls
    seeded.facts["call.recording.completed"] = len(range(0, size, 8))
    return seeded


async def sim_requests(sim: RunningSimulator) -> list[dict[str, Any]]:
    return await sim.requests()


async def replay(sim: RunningSimulator, entries: list[dict[str, Any]]) -> float:
    """The same GETs, one after the other, bare httpx: the simulator + HTTP alone."""
    async with sim.client(timeout=60) as http:
        started = time.perf_counter()
        for entry in entries:
            target = entry["path"] + (f"?{entry['query']}" if entry["query"] else "")
            response = await http.request(entry["method"], target)
            response.raise_for_status()
        return time.perf_counter() - started


def parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@asynccontextmanager
async def own_topics(bootstrap: str, tag: str, group: str) -> AsyncIterator[dict[str, str]]:
    topics = {
        "messages": f"bench.{tag}.openphone-messages.v1",
        "calls": f"bench.{tag}.openphone-calls.v1",
    }
    names = [*topics.values(), *(dlq_topic(name, group) for name in topics.values())]
    await ensure_topics(bootstrap, names, partitions=3)
    try:
        yield topics
    finally:
        await delete_topics(bootstrap, names)


@asynccontextmanager
async def own_schema(database_url: str, schema: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(database_url, schema=schema, script_location=MIGRATIONS)
    engine = make_engine(database_url, schema=schema)
    try:
        yield engine
    finally:
        await drop_schema(engine, schema)
        await engine.dispose()


async def until(check: Any, within: float, every: float = 0.05) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {within}s")
        await asyncio.sleep(every)


async def run_case(
    *,
    case: str,
    size: int,
    paced: bool,
    bootstrap: str,
    database_url: str,
    baseline: bool,
    slow: float = 0.0,
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
        settings = Settings(
            SMSBUS_DATABASE_URL=database_url,
            SMSBUS_KAFKA_BOOTSTRAP=bootstrap,
            SMSBUS_OPENPHONE_BASE_URL=sim.base_url,
            SMSBUS_OPENPHONE_API_KEY=sim.api_key,
            db_schema=schema,
            group_id=group,
            messages_topic=topics["messages"],
            calls_topic=topics["calls"],
            schedule=False,
            grace_seconds=GRACE,
        )
        http = httpx.AsyncClient(transport=transport, timeout=30.0, trust_env=False)
        # Paced: exactly what the service builds (the process-wide 10/s bucket of this key).
        bucket = None if paced else TokenBucket(rate=1e9, burst=1)
        client = OpenPhoneClient(
            api_key=sim.api_key, base_url=sim.base_url, http_client=http, bucket=bucket
        )
        app = create_app(settings, clock=clock, openphone=client)
        async with (
            http,
            serving(app, name="reconciler") as url,
            httpx.AsyncClient(base_url=url, timeout=None, trust_env=False) as api,
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
            response = await api.post("/runs")
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


def table(results: list[Result]) -> None:
    head = (
        "| case | N conv | status | run s | REST req | req/s | ms/conv | msgs+calls | emitted "
        "| rtt s | baseline s | run/baseline | cpu/wall | before / REST / after s | relay s |"
    )
    say(head)
    say("|" + "---|" * (head.count("|") - 1))
    for r in results:
        base = f"{r.baseline:.2f}" if r.baseline is not None else "-"
        ratio = f"{r.wall / r.baseline:.2f}" if r.baseline else "-"
        say(
            f"| {r.case} | {r.size:,} | {r.status} | {r.wall:.2f} | {r.requests:,} "
            f"| {r.requests / r.wall:.1f} | {1000 * r.wall / r.size:.1f} "
            f"| {r.messages:,}+{r.calls:,} | {r.emitted:,}/{r.expected:,} | {r.rtt:.2f} | {base} "
            f"| {ratio} | {r.cpu / r.wall:.2f} "
            f"| {r.before_rest:.2f} / {r.rest_phase:.2f} / {r.after_rest:.2f} | {r.drain:.2f} |"
        )
    say()
    for r in results:
        paths = ", ".join(f"{path} {count}" for path, count in sorted(r.by_path.items()))
        say(f"{r.case} N={r.size}: requests by path: {paths}; answers {dict(r.statuses)}")
        kinds = ", ".join(f"{kind!r} {n}" for kind, n in r.sql.most_common(5))
        say(
            f"  SQL during the run: {sum(r.sql.values()):,} statements, {r.sql_seconds:.2f}s "
            f"in them; most: {kinds}"
        )
        for problem in r.problems:
            say(f"  PROBLEM: {problem}")


def conclusion(results: list[Result]) -> None:
    per_conv = [r.requests / r.size for r in results if r.ok]
    paced = [r for r in results if r.case.startswith("10 rps") and r.ok]
    unpaced = [r for r in results if r.case == "unpaced" and r.ok]
    if per_conv:
        say(f"\nREST requests per conversation: {min(per_conv):.2f}-{max(per_conv):.2f}")
    for r in unpaced:
        say(
            f"unpaced N={r.size}: {r.requests / r.wall:.0f} req/s, "
            f"{1000 * r.wall / r.size:.1f} ms/conversation, rtt {r.rtt / r.wall:.0%} of the run"
        )
    for r in paced:
        say(
            f"{r.case} N={r.size}: {r.requests / max(r.rest_phase, 1e-9):.2f} req/s over the REST "
            f"phase, {1000 * r.wall / r.size:.0f} ms/conversation, rtt {r.rtt / r.wall:.0%} "
            "of the run"
        )
        if unpaced:
            fastest = statistics.median(x.requests / x.wall for x in unpaced)
            say(f"  unpaced median {fastest:.0f} req/s = {fastest / 10:.0f}x the 10 rps pacing")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,300,1000", help="conversations per unpaced run")
    parser.add_argument("--paced", type=int, default=300, help="N for the 10 rps run; 0: none")
    parser.add_argument(
        "--slow-ms", type=int, default=0, help="also a 10 rps run whose REST answers wait this long"
    )
    parser.add_argument("--slow-n", type=int, default=100, help="N for the --slow-ms run")
    parser.add_argument("--repeat", type=int, default=1, help="repeat every case this often")
    parser.add_argument("--no-baseline", action="store_true", help="skip the replay baseline")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    cases = [("unpaced", size, False, 0.0) for size in sizes]
    if args.paced:
        cases.append(("10 rps", args.paced, True, 0.0))
    if args.slow_ms:
        cases.append((f"10 rps +{args.slow_ms} ms", args.slow_n, True, args.slow_ms / 1000))
    say(f"bench/reconciler {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, cases {cases}")
    results: list[Result] = []
    for _ in range(args.repeat):
        for case, size, paced, slow in cases:
            say(f"... {case} N={size}")
            result = await run_case(
                case=case,
                size=size,
                paced=paced,
                bootstrap=bootstrap,
                database_url=database_url,
                baseline=not paced and not args.no_baseline,
                slow=slow,
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
