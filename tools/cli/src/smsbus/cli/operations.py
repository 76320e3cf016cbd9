"""`smsbus dlq …`, `smsbus replay …`, `smsbus lag`, `smsbus tail`: what the operator sees, exit
codes.

Output is one JSON object per line (`jq`-friendly), as each record is done; progress goes to
stderr (a bar on a terminal); `dlq list` and `lag` are tables. Exit code
0: done; 1: something is left that needs a human (dead letters pending, bodies that still do not
parse, a group further behind than `lag --max`);
2: the command could not run (no such topic, a group that is still running).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Iterable
from typing import Any

from smsbus.cli import dead_letters, rejected, rewind
from smsbus.cli.lag import lags
from smsbus.cli.replay.pacing import Pacer, parse_rate
from smsbus.cli.replay.progress import progress
from smsbus.cli.replay.selection import Selection, view
from smsbus.cli.tail import describe, follow
from smsbus.contracts import all_dlq_topics


def dlq(bootstrap: str, args: argparse.Namespace) -> int:
    try:
        match args.action:
            case "list":
                return _list(asyncio.run(dead_letters.backlogs(bootstrap, all_dlq_topics())))
            case "show":
                topic = dead_letters.check_dlq_name(args.topic)
                found = asyncio.run(
                    dead_letters.read(bootstrap, topic, limit=args.limit, include_replayed=args.all)
                )
                _lines(dead.summary() for dead in found)
                return 1 if found else 0
            case "replay":
                topic = dead_letters.check_dlq_name(args.topic)
                pacer = Pacer(parse_rate(args.rate) if args.rate else None)
                return asyncio.run(_replay_dlq(bootstrap, topic, args, pacer))
    except ValueError as exc:
        print(f"smsbus dlq: {exc}")
        return 2
    raise AssertionError(args.action)


async def _replay_dlq(bootstrap: str, topic: str, args: argparse.Namespace, pacer: Pacer) -> int:
    verb = "would replay" if args.dry_run else "replayed"
    with progress(f"dlq replay {topic}", None, verb=verb) as report:
        letters = dead_letters.replay(
            bootstrap, topic, limit=args.limit, dry_run=args.dry_run, pacer=pacer,
            sized=report.resize,
        )  # fmt: skip
        async for dead in letters:
            _lines([{verb: dead.where, "to": dead.original_topic}])
            report.advance(written=1)
    print(f"{verb} {report.written} dead letter(s) from {topic}")
    return 0


def replay_rejected(bootstrap: str, args: argparse.Namespace) -> int:
    pacer = Pacer(parse_rate(args.rate) if args.rate else None)
    verb = "would publish" if args.dry_run else "published"

    async def run() -> tuple[int, int]:
        with progress("replay rejected", None, verb=verb) as report:
            outcomes = rejected.replay_rejected(
                bootstrap, limit=args.limit, from_beginning=args.from_beginning,
                dry_run=args.dry_run, pacer=pacer, sized=report.resize,
            )  # fmt: skip
            async for outcome in outcomes:
                _lines([outcome.summary()])
                report.advance(written=int(outcome.published_to is not None))
        return report.read, report.written

    try:
        looked_at, published = asyncio.run(run())
    except ValueError as exc:
        print(f"smsbus replay rejected: {exc}")
        return 2
    print(
        f"{verb} {published} of {looked_at} quarantined webhook(s); "
        f"{looked_at - published} still do not parse"
    )
    return 1 if published < looked_at else 0


def replay_group(bootstrap: str, args: argparse.Namespace) -> int:
    try:
        moves = asyncio.run(
            rewind.rewind(
                bootstrap,
                group=args.group,
                topic=args.topic,
                since=None if args.from_beginning else args.since,
                dry_run=args.dry_run,
            )
        )
    except (ValueError, rewind.GroupIsRunning) as exc:
        print(f"smsbus replay group: {exc}")
        return 2
    _lines(move.summary() for move in moves)
    verb = "would read again" if args.dry_run else "will read again"
    print(f"{args.group} {verb} {sum(m.records for m in moves)} record(s) of {args.topic}")
    return 0


def lag(bootstrap: str, args: argparse.Namespace) -> int:
    found = asyncio.run(lags(bootstrap))
    width = max((len(g.group) for g in found), default=5)
    print(f"{'group':<{width}}  {'topic':<24}  {'behind':>8}")
    for group in found:
        print(f"{group.group:<{width}}  {group.topic:<24}  {group.records:>8}")
    too_far = args.max is not None and any(g.records > args.max for g in found)
    return 1 if too_far else 0


def tail(bootstrap: str, args: argparse.Namespace) -> int:
    selection = Selection.of(
        types=args.types or (),
        phones=args.phones or (),
        dedupe_keys=args.dedupe_keys or (),
        sources=args.sources or (),
    )

    async def run() -> None:
        records = follow(
            bootstrap,
            args.topic,
            from_beginning=args.from_beginning,
            limit=args.limit,
            keep=lambda r: selection.matches(view(r.key, r.value, r.headers)),
        )
        async for record in records:
            _lines([describe(record)])

    try:
        asyncio.run(run())
    except ValueError as exc:
        print(f"smsbus tail: {exc}")
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def _list(backlogs: list[dead_letters.Backlog]) -> int:
    width = max((len(b.topic) for b in backlogs), default=10)
    print(f"{'dead-letter topic':<{width}}  {'pending':>7}  {'total':>7}")
    for backlog in backlogs:
        print(f"{backlog.topic:<{width}}  {backlog.pending:>7}  {backlog.total:>7}")
    return 1 if any(backlog.pending for backlog in backlogs) else 0


def _lines(items: Iterable[dict[str, Any]]) -> None:
    for item in items:
        print(json.dumps(item, ensure_ascii=False))
