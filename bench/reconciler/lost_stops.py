"""bench/reconciler/lost_stops.py: the issue's full scenario for lost STOPs, with figures.

    ./uv run python bench/reconciler/lost_stops.py [--people 500] [--stops 100] [--spread 150]
                                                   [--drop 0.3] [--seed 17]

500 people text our line over `spread` seconds, then 100 of them say STOP over the next
`spread` seconds (5 minutes in all by default), while OpenPhone (the simulator, at real pace and
its 10 requests/s per key) drops 30 % of the webhooks. Ingest, compliance (opt-outs and the
egress's confirmations) and the reconciler run in this process on loopback with topics and
schemas of their own, against the broker and PostgreSQL named by SMSBUS_KAFKA_BOOTSTRAP /
SMSBUS_DATABASE_URL (defaults: the local stack). The reconciler runs as shipped: both passes on
their default schedules, nobody triggers a run. The stack and the scenario are the end-to-end
test's (tests-e2e/lost_stops_stack.py), at full size.

Prints, on the simulator's clock, seconds from each STOP to its confirmation: for the STOPs
whose webhook arrived (the baseline, measured in the same run) and for those only the
reconciler brought; the reconciler's OpenPhone requests per endpoint and per minute. Exits 1
unless every STOP was opted out and confirmed once within 5 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests-e2e"))
sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token

from bench_auth import HEADERS, SERVICE_ENV
from lost_stops_stack import DEADLINE, Outcome, Scenario, lost_stops_stack, play
from report import say

from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def quantiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return (
        f"n={len(ordered)} p50 {statistics.median(ordered):.0f} s, p95 {at(0.95):.0f} s, "
        f"p99 {at(0.99):.0f} s, max {ordered[-1]:.0f} s"
    )


def report(scenario: Scenario, outcome: Outcome) -> bool:
    recovered = {p for p, stop in outcome.stops.items() if stop in outcome.recovered}
    by_webhook = [s for p, s in outcome.latency.items() if p not in recovered]
    by_reconciler = [s for p, s in outcome.latency.items() if p in recovered]
    minutes = outcome.elapsed / 60
    say(
        f"scenario: {scenario.people} people, {scenario.stops} STOPs, "
        f"{scenario.drop_rate:.0%} of webhooks dropped, spread {scenario.spread:g} s, twice"
    )
    say(f"STOP → confirmation, webhook arrived (baseline): {quantiles(by_webhook)}")
    say(f"STOP → confirmation, webhook lost (reconciler):  {quantiles(by_reconciler)}")
    say(
        f"opted out {len(outcome.opted_out)}/{len(outcome.stops)}; confirmations "
        f"{sum(outcome.confirmations.values())} for {len(outcome.confirmations)} people; "
        f"over {DEADLINE:g} s or missing: {len(outcome.missing)}"
    )
    for name, counts in outcome.requests.items():
        total = sum(counts.values())
        say(
            f"{name} pass requests: {total} in {minutes:.1f} min ({total / minutes:.1f}/min, "
            f"{total / outcome.elapsed:.2f}/s): {counts}"
        )
    for run in outcome.deep_runs:
        if run["status"] == "succeeded" and run["finished_at"]:
            took = (_at(run["finished_at"]) - _at(run["started_at"])).total_seconds()
            rate = run["conversations_checked"] / took * 3600 if took else 0.0
            say(
                f"deep run: {run['conversations_checked']} conversations in {took:.0f} s "
                f"({rate:,.0f} conversations/h), missing {run['missing'] or 'nothing'}"
            )
    say(f"waited {outcome.waited:.0f} s after the last STOP for every confirmation")
    return (
        not outcome.missing
        and outcome.opted_out == set(outcome.stops)
        and all(count == 1 for count in outcome.confirmations.values())
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--stops", type=int, default=100)
    parser.add_argument("--spread", type=float, default=150.0)
    parser.add_argument("--drop", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenario = Scenario(args.people, args.stops, args.spread, args.drop, args.seed)
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    os.environ.update(SERVICE_ENV)  # the apps the stack builds in this process read their tokens
    async with lost_stops_stack(database_url=database_url, bootstrap=bootstrap) as pipeline:
        # The stack is the e2e test's: its API clients come with the test plugin's token.
        for api in (pipeline.compliance, pipeline.reconciler):
            api.headers.update(HEADERS)
        outcome = await play(pipeline, scenario)
    ok = report(scenario, outcome)
    say("reproduce: ./uv run python bench/reconciler/lost_stops.py " + " ".join(sys.argv[1:]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
