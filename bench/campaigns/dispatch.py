"""bench/campaigns: campaign-engine's dispatch, members requested per second and engine CPU per
member, limits lifted; before and after in the same run.

    ./uv run python bench/campaigns/dispatch.py [--members 20000] [--batch 500] [--lanes 1 2]
        [--before 24ff980 --before-members 3000] [--profile DIR]
    ./uv run python bench/campaigns/dispatch.py --path egress --members 2000   # the whole way

Runs campaign-engine (`python -m smsbus.campaigns`) and compliance (its `__main__`, with the
clock and the line cap of rig.py) as processes of their own, on schemas and topics of
their own (dropped afterwards), with the OpenPhone simulator served in this process. Seeds
`--members` contacts (valid US numbers over a dozen area codes) as the pending members of one
marketing campaign with every limit lifted (no daily limit, no gap, every day 00:00-23:59, both
clocks on a Tuesday 13:00 EST) and starts it.

`--path dispatch` (the default) measures the engine's part alone: compliance answers
eligibility but reads no request, so each member's way ends when its send.requested is on
`outbound.requests.v1`: claim (FOR UPDATE SKIP LOCKED), compliance's eligibility over HTTP,
rules + render, the intent and its send.requested committed, relayed by the outbox. The window
runs from the campaign's start until no member is pending and the outbox is empty; over it, the
engine's CPU (utime + stime from /proc), compliance's, PostgreSQL's and Kafka's (their
processes alive at both ends) and the machine's. `--before REF` first measures the same with
every service's code as committed at REF (`git archive`, on PYTHONPATH ahead of the working
tree; the third-party packages are the environment's), on `--before-members`; the working tree
follows, once per `--lanes` value (SMSBUS_CAMPAIGNS_DISPATCH_LANES). Exits 1 unless every
member was requested exactly once: each `sending` at attempt 1, one send.requested per member
in the outbox, as many records on the requests topic.

`--path egress`: the whole way through compliance's egress and the simulator (egress.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import egress
from rig import (
    Options,
    Services,
    baseline_eligibility,
    migrate,
    running_services,
    serve_compliance,
    serve_engine_profiled,
)
from sqlalchemy import text
from stack import (
    Tree,
    before_tree,
    cpu,
    cpu_by_name,
    machine_busy,
    numbers,
    say,
    show_profile,
    used_by_name,
)

from smsbus.openphone_sim.testing import RunningSimulator, running_simulator
from smsbus.runtime.offsets import topic_size

OTHERS = ("postgres", "java")
"""PostgreSQL's processes and Kafka's JVM, on this machine."""
IDLE_SECONDS = 3.0


@dataclass(frozen=True)
class Window:
    """One tree's dispatch of `members`, from the campaign's start until all were requested
    and relayed."""

    label: str
    members: int
    seconds: float
    steady: float
    """Members/s between 10 % and 90 % requested."""
    engine_cpu: float
    engine_idle: float
    """The engine's CPU seconds per second before the start (consumers, relay, gauges)."""
    compliance_cpu: float
    others: dict[str, float]
    machine: float
    """Busy CPU seconds of the whole machine."""
    statuses: dict[tuple[str, int], int]
    requests: tuple[int, int, int]
    """send.requested rows in the outbox, distinct event ids, records on the topic."""

    @property
    def rate(self) -> float:
        return self.members / self.seconds

    @property
    def ms_per_member(self) -> float:
        return 1000 * self.engine_cpu / self.members

    def exactly_once(self) -> bool:
        return (
            self.statuses == {("sending", 1): self.members} and self.requests == (self.members,) * 3
        )

    def report(self) -> None:
        s = self.seconds
        say(f"{self.label}: REQUESTED {self.members:,} members in {s:.1f}s: "
            f"{self.rate:,.0f} members/s (10-90 %: {self.steady:,.0f}/s); "
            f"engine CPU {self.engine_cpu:.1f}s = {self.ms_per_member:.2f} ms/member "
            f"({self.engine_cpu / s:.0%} of a core)")  # fmt: skip
        others = ", ".join(f"{n} {v:.1f}s ({v / s:.0%})" for n, v in sorted(self.others.items()))
        cores = os.cpu_count() or 1
        busy = self.machine / s / cores
        say(f"  over the window: compliance {self.compliance_cpu:.1f}s "
            f"({self.compliance_cpu / s:.0%}), {others}; machine {busy:.0%} of {cores} cores "
            f"busy; the engine idle before: {self.engine_idle:.1%} of a core")  # fmt: skip
        statuses = {f"{k[0]}@{k[1]}": v for k, v in self.statuses.items()}
        outbox, distinct, topic = self.requests
        say(f"  exactly once: members {statuses}; send.requested {outbox:,} in the outbox "
            f"({distinct:,} ids), {topic:,} on the topic")  # fmt: skip


async def dispatch_window(
    tree: Tree,
    sim: RunningSimulator,
    members: int,
    args: argparse.Namespace,
    *,
    lanes: int | None = None,
    profile: Path | None = None,
    baseline: int = 0,
) -> Window:
    options = Options(batch=args.batch, lanes=lanes, egress=False, profile=profile)
    label = tree.label if lanes is None else f"{tree.label}, {lanes} lane{'s' * (lanes > 1)}"
    async with running_services(tree, sim, options) as services:
        if baseline:
            phones = numbers(baseline, exchange_from=800)  # numbers no member has
            rate = await baseline_eligibility(services.compliance_url, phones, args.batch)
            say(f"  baseline, same run: compliance's eligibility alone, batches of {args.batch}: "
                f"{rate:,.0f} numbers/s")  # fmt: skip
        campaign_id = await services.campaign(sim.lines[0], numbers(members))
        idle0 = cpu(services.engine.pid)
        await asyncio.sleep(IDLE_SECONDS)
        idle = (cpu(services.engine.pid) - idle0) / IDLE_SECONDS
        engine0, compliance0 = cpu(services.engine.pid), cpu(services.compliance.pid)
        others0, machine0 = cpu_by_name(OTHERS), machine_busy()[0]
        started = time.perf_counter()
        await services.start(campaign_id)
        samples = await requested_until_relayed(services, members, started, args.timeout)
        seconds = time.perf_counter() - started
        engine_cpu = cpu(services.engine.pid) - engine0
        compliance_cpu = cpu(services.compliance.pid) - compliance0
        others = used_by_name(others0, cpu_by_name(OTHERS))
        machine = machine_busy()[0] - machine0
        statuses, requests = await what_was_requested(services)
    mid = [s for s in samples if 0.1 * members <= s[1] <= 0.9 * members]
    steady = (mid[-1][1] - mid[0][1]) / (mid[-1][0] - mid[0][0]) if len(mid) > 1 else 0.0
    return Window(
        label, members, seconds, steady, engine_cpu, idle, compliance_cpu, others, machine,
        statuses, requests,
    )  # fmt: skip


async def requested_until_relayed(
    services: Services, members: int, started: float, within: float
) -> list[tuple[float, int]]:
    """(seconds, members requested) every 0.25 s until none is pending and nothing waits in
    the outbox."""
    samples = []
    query = text(
        "SELECT (SELECT count(*) FROM members WHERE status = 'pending'), "
        "(SELECT count(*) FROM outbox WHERE published_at IS NULL)"
    )
    while True:
        async with services.db.connect() as conn:
            pending, unpublished = (await conn.execute(query)).one()
        elapsed = time.perf_counter() - started
        samples.append((elapsed, members - pending))
        if pending == 0 and unpublished == 0:
            return samples
        if elapsed > within:
            raise TimeoutError(f"{members - pending} of {members} requested after {within}s")
        await asyncio.sleep(0.25)


async def what_was_requested(
    services: Services,
) -> tuple[dict[tuple[str, int], int], tuple[int, int, int]]:
    async with services.db.connect() as conn:
        rows = await conn.execute(
            text("SELECT status, attempts, count(*) FROM members GROUP BY status, attempts")
        )
        statuses = {(r[0], int(r[1])): int(r[2]) for r in rows}
        outbox, distinct = (
            await conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT event_id) FROM outbox "
                    "WHERE event_type = 'send.requested'"
                )
            )
        ).one()
    on_topic = await topic_size(services.bootstrap, services.topics["requests"])
    return statuses, (int(outbox), int(distinct), on_topic)


async def main(args: argparse.Namespace) -> None:
    windows = []
    profiles = Path(args.profile) if args.profile else None
    if profiles:
        profiles.mkdir(parents=True, exist_ok=True)
    async with running_simulator(demo_history=False, rate_limit_per_second=0, speed=1000) as sim:
        with before_tree(args.before) as before:
            if before is not None:
                profile = profiles / "before.prof" if profiles else None
                windows.append(
                    await dispatch_window(before, sim, args.before_members, args, profile=profile)
                )
                windows[-1].report()
                if profile:
                    show_profile(profile, args.before_members)
        for i, lanes in enumerate(args.lanes):
            profile = profiles / f"after-{lanes}.prof" if profiles else None
            baseline = args.baseline if i == 0 else 0  # the eligibility leg, once
            windows.append(
                await dispatch_window(
                    Tree.working(), sim, args.members, args, lanes=lanes, profile=profile,
                    baseline=baseline,
                )
            )  # fmt: skip
            windows[-1].report()
            if profile:
                show_profile(profile, args.members)
    if before is not None:
        first = windows[0]
        for last in windows[1:]:
            cpu = last.ms_per_member / first.ms_per_member
            say(f"{last.label} / {first.label}: {last.rate / first.rate:.1f}x members/s, "
                f"{cpu:.2f}x engine CPU per member")  # fmt: skip
    if not all(w.exactly_once() for w in windows):
        say("FAILED: not every member was requested exactly once")
        sys.exit(1)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", choices=["dispatch", "egress"], default="dispatch")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="SMSBUS_CAMPAIGNS_DISPATCH_BATCH")
    parser.add_argument(
        "--before",
        default="24ff980",
        help="commit to measure first ('none': skip); the default is the last one whose "
        "dispatcher decided and wrote member by member",
    )
    parser.add_argument("--before-members", type=int, default=3000)
    parser.add_argument(
        "--lanes", type=int, nargs="+", default=[2], help="SMSBUS_CAMPAIGNS_DISPATCH_LANES, each"
    )
    parser.add_argument("--profile", help="directory: the engine runs under cProfile (CPU time)")
    parser.add_argument("--rate", type=float, default=1000.0, help="SMSBUS_OPENPHONE_RATE")
    parser.add_argument("--burst", type=int, default=100, help="SMSBUS_OPENPHONE_BURST")
    parser.add_argument(
        "--egress-batch", type=int, default=50, help="SMSBUS_COMPLIANCE_EGRESS_BATCH"
    )
    parser.add_argument("--baseline", type=int, default=5000, help="requests per leg baseline")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--send-baseline", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--serve-compliance", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--serve-engine-profiled", help=argparse.SUPPRESS)
    parser.add_argument("--migrate", nargs=2, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    parsed = arguments()
    if parsed.send_baseline:
        url, key, line, count, concurrency = parsed.send_baseline
        say(str(asyncio.run(egress.send_many(url, key, line, int(count), int(concurrency)))))
    elif parsed.serve_compliance is not None:
        serve_compliance(parsed.serve_compliance)
    elif parsed.serve_engine_profiled:
        serve_engine_profiled(parsed.serve_engine_profiled)
    elif parsed.migrate:
        migrate(*parsed.migrate)
    else:
        say("$ " + " ".join(shlex.quote(a) for a in ["./uv", "run", "python", *sys.argv]))
        say(f"cpus={os.cpu_count()} load={os.getloadavg()} at {datetime.now(UTC):%Y-%m-%d %H:%M}Z")
        asyncio.run(egress.main(parsed) if parsed.path == "egress" else main(parsed))
