"""The reconciler bench's results: one row per case, the table and what bounds a run."""

from __future__ import annotations

import statistics
import sys
from collections import Counter
from dataclasses import dataclass


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


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
