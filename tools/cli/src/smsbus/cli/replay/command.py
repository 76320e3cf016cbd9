"""`smsbus replay --topic T… [--since][--until] [filters] (--to-topic X | --group G)`.

What the operator sees: progress on stderr, one JSON summary on stdout (counts by type and
partition), exit 0 when done, 2 when it cannot run, 130 when interrupted (the same command
again resumes a copy from its checkpoint; `--restart` forgets it).

- `--to-topic X` copies the window's selected records to X (created like the first source topic
  when missing), at `--rate` at most, resumable;
- `--group G` moves a stopped consumer group back to the window's start (`rewind.py`): the group
  reads everything after it again, so filters and `--until` do not apply there;
- `--dry-run` reads the window and counts what a copy would write; the window is the checkpoint's
  when this copy was started before, else resolved now (without `--until`: up to the end now).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition

from smsbus.cli import rewind
from smsbus.cli.replay.checkpoint import (
    Checkpoint,
    checkpoint_path,
    load,
    parse_part,
    replay_id,
    save,
)
from smsbus.cli.replay.copier import Copy, count, resolve_window
from smsbus.cli.replay.pacing import Pacer, parse_rate
from smsbus.cli.replay.progress import progress
from smsbus.cli.replay.selection import Selection
from smsbus.cli.replay.window import Span, WindowError, check_window, parse_time
from smsbus.cli.topic_reader import partitions
from smsbus.contracts import EVENT_TYPES
from smsbus.runtime.kafka import ensure_topics
from smsbus.runtime.offsets import end_offsets

INTERRUPTED = 130


class CannotReplay(ValueError):
    """The request cannot run as given (exit 2)."""


@dataclass(frozen=True)
class Request:
    topics: tuple[str, ...]
    since: datetime | None
    until: datetime | None
    selection: Selection
    to_topic: str | None
    group: str | None
    rate: float | None
    dry_run: bool
    restart: bool

    @classmethod
    def of(cls, args: argparse.Namespace) -> Request:
        since = parse_time(args.since_text) if args.since_text else None
        until = parse_time(args.until_text) if args.until_text else None
        check_window(since, until)
        selection = Selection.of(
            types=args.types or (),
            phones=args.phones or (),
            dedupe_keys=args.dedupe_keys or (),
            sources=args.sources or (),
        )
        if unknown := selection.unknown_types(EVENT_TYPES):
            raise CannotReplay(f"--type {', '.join(unknown)} matches no event type of the registry")
        request = cls(
            topics=tuple(dict.fromkeys(args.topics or ())),
            since=since,
            until=until,
            selection=selection,
            to_topic=args.to_topic,
            group=args.group,
            rate=parse_rate(args.rate) if args.rate else None,
            dry_run=args.dry_run,
            restart=args.restart,
        )
        request.check()
        return request

    def check(self) -> None:
        if not self.topics:
            raise CannotReplay("give the topics to replay: --topic T [T…]")
        if self.group and (not self.selection.everything or self.until or self.rate):
            raise CannotReplay(
                "--group rewinds the whole group to --since: it reads everything after it again "
                "(its inbox skips what it has), so filters, --until and --rate do not apply"
            )
        if self.group and not self.since:
            raise CannotReplay(
                "--group needs --since (the whole topic again: "
                "smsbus replay group G --topic T --from-beginning)"
            )
        if not (self.group or self.to_topic or self.dry_run):
            raise CannotReplay("say where to: --to-topic T (copy) or --group G (rewind)")
        if self.to_topic in self.topics:
            raise CannotReplay(f"--to-topic {self.to_topic} is also a source topic")

    def plan(self) -> dict[str, Any]:
        """What names this replay (the rate may change between runs; the rest may not)."""
        return {
            "topics": sorted(self.topics),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "select": self.selection.describe(),
            "to_topic": self.to_topic,
        }


def run(args: argparse.Namespace, *, bootstrap: str, state_dir: Path) -> int:
    try:
        request = Request.of(args)
        if request.group:
            return _rewind(bootstrap, request)
        return asyncio.run(_copy_or_count(request, bootstrap=bootstrap, state_dir=state_dir))
    except (CannotReplay, WindowError, rewind.GroupIsRunning) as exc:
        print(f"smsbus replay: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # no such topic, a bad rate
        print(f"smsbus replay: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "smsbus replay: interrupted; what was copied is in the checkpoint: "
            "run the same command again to go on",
            file=sys.stderr,
        )
        return INTERRUPTED


def _rewind(bootstrap: str, request: Request) -> int:
    assert request.group is not None
    for topic in request.topics:
        moves = asyncio.run(
            rewind.rewind(
                bootstrap,
                group=request.group,
                topic=topic,
                since=request.since,
                dry_run=request.dry_run,
            )
        )
        for move in moves:
            print(json.dumps(move.summary()))
        verb = "would read again" if request.dry_run else "will read again"
        print(
            f"{request.group} {verb} {sum(m.records for m in moves)} record(s) of {topic}",
            file=sys.stderr,
        )
    return 0


async def _copy_or_count(request: Request, *, bootstrap: str, state_dir: Path) -> int:
    for topic in request.topics:
        await partitions(bootstrap, topic)  # ValueError when there is no such topic
    plan = request.plan()
    path = checkpoint_path(state_dir, replay_id(plan))
    earlier = None if request.restart else load(path)
    if request.dry_run:
        window = _window_of(earlier) or await _resolve(bootstrap, request)
        counted = Checkpoint.new(plan, window)
        with progress("dry run", counted.total, verb="selected") as report:
            await count(bootstrap, counted, request.selection, report)
        _summary("would_copy", counted, request.to_topic, None)
        return 0
    assert request.to_topic is not None
    if earlier is not None and earlier.finished:
        _summary("copied", earlier, request.to_topic, path)
        print(
            f"smsbus replay: this replay finished before (checkpoint {path}); "
            "--restart copies the window again",
            file=sys.stderr,
        )
        return 0
    checkpoint = earlier or await _start(request, plan, path, bootstrap=bootstrap)
    if earlier is not None:
        print(
            f"smsbus replay: resuming {checkpoint.replay_id}: {checkpoint.copied} copied, "
            f"{checkpoint.scanned} of {checkpoint.total} read",
            file=sys.stderr,
        )
    copy = Copy(
        bootstrap=bootstrap,
        checkpoint=checkpoint,
        path=path,
        selection=request.selection,
        to_topic=request.to_topic,
        pacer=Pacer(request.rate),
        clock=lambda: datetime.now(UTC),
    )
    with progress(f"replay → {request.to_topic}", checkpoint.total, verb="copied") as report:
        report.resume(read=checkpoint.scanned, written=checkpoint.copied)
        await copy.run(report)
    _summary("copied", checkpoint, request.to_topic, path)
    return 0


async def _resolve(bootstrap: str, request: Request) -> dict[tuple[str, int], Span]:
    window = await resolve_window(bootstrap, request.topics, request.since, request.until)
    return {(tp.topic, tp.partition): span for tp, span in window.items()}


def _window_of(checkpoint: Checkpoint | None) -> dict[tuple[str, int], Span] | None:
    if checkpoint is None:
        return None
    return {parse_part(name): span for name, span in checkpoint.spans.items()}


async def _start(
    request: Request, plan: dict[str, Any], path: Path, *, bootstrap: str
) -> Checkpoint:
    """Resolves the window, makes sure the target exists, and saves the first checkpoint."""
    assert request.to_topic is not None
    checkpoint = Checkpoint.new(plan, await _resolve(bootstrap, request))
    sources = await partitions(bootstrap, request.topics[0])
    created = await ensure_topics(bootstrap, [request.to_topic], partitions=len(sources))
    if created:
        print(
            f"smsbus replay: created {request.to_topic} ({len(sources)} partitions)",
            file=sys.stderr,
        )
    ends: dict[TopicPartition, int] = await end_offsets(bootstrap, [request.to_topic])
    checkpoint.target_ends = {tp.partition: offset for tp, offset in ends.items()}
    save(path, checkpoint)
    return checkpoint


def _summary(verb: str, checkpoint: Checkpoint, to_topic: str | None, path: Path | None) -> None:
    print(
        json.dumps(
            {
                "replay": checkpoint.replay_id,
                verb: checkpoint.copied,
                "read": checkpoint.scanned,
                "window": checkpoint.total,
                "to_topic": to_topic,
                **checkpoint.counts(),
                "checkpoint": str(path) if path else None,
            }
        ),
        flush=True,
    )
