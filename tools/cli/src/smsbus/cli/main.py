"""The `smsbus` command: the composition root of the operator tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from smsbus.cli import demo, imports, operations, readme, topic_table
from smsbus.cli.replay import command as replay_command
from smsbus.cli.stack import commands
from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.provision import provision, run_migrations


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smsbus", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    stack = sub.add_parser("stack", help="the local stack: Kafka, PostgreSQL, services")
    stack_sub = stack.add_subparsers(dest="action", required=True)
    stack_sub.add_parser("up", help="install what is missing and start everything")
    stack_sub.add_parser("down", help="stop exactly what `up` started")
    stack_sub.add_parser("status", help="what runs, whether it is ready, where it listens")
    stack_sub.add_parser("logs", help="where each component logs")
    test = stack_sub.add_parser(
        "test", help="run pytest against the stack (starts what is missing)"
    )
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed to pytest")

    sub.add_parser("topics", help="print the topic registry")
    sub.add_parser(
        "provision", help="create the registry's topics, then migrate (existing servers)"
    )
    sub.add_parser("migrate", help="apply every service's migrations to SMSBUS_DATABASE_URL")
    dlq = sub.add_parser("dlq", help="dead letters of <topic>.<group>.dlq: list, show, replay")
    dlq_sub = dlq.add_subparsers(dest="action", required=True)
    dlq_sub.add_parser("list", help="every DLQ of the registry: dead letters, not replayed yet")
    show = dlq_sub.add_parser("show", help="the dead letters not replayed yet, with their reason")
    show.add_argument("topic", help="<topic>.<group>.dlq")
    show.add_argument("--limit", type=int, default=None)
    show.add_argument("--all", action="store_true", help="the replayed ones too")
    replay_dlq = dlq_sub.add_parser(
        "replay", help="publish them again to their original topic, oldest first"
    )
    replay_dlq.add_argument("topic", help="<topic>.<group>.dlq")
    replay_dlq.add_argument("--limit", type=int, default=None)
    replay_dlq.add_argument("--rate", help="at most this many a second (e.g. 100/s)")
    replay_dlq.add_argument("--dry-run", action="store_true", help="say what would be replayed")

    replay = sub.add_parser(
        "replay",
        help="copy a window of topics to another topic, or rewind a stopped group "
        "(also: replay rejected | group)",
        description="Copy the records of a time window, filtered, to another topic "
        "(--to-topic), or move a stopped consumer group back to the window's start (--group).",
    )
    replay.add_argument(
        "--topic", dest="topics", action="extend", nargs="+", metavar="TOPIC", help="to read"
    )
    replay.add_argument("--since", dest="since_text", metavar="TIME", help="ISO 8601 with offset")
    replay.add_argument(
        "--until", dest="until_text", metavar="TIME", help="exclusive (default: the end now)"
    )
    _add_filters(replay)
    target = replay.add_mutually_exclusive_group()
    target.add_argument("--to-topic", metavar="TOPIC", help="copy the selected records there")
    target.add_argument("--group", help="rewind this stopped consumer group to --since")
    replay.add_argument("--rate", help="copies a second at most (e.g. 1000/s)")
    replay.add_argument(
        "--dry-run", action="store_true", help="count by type and partition, write nothing"
    )
    replay.add_argument(
        "--restart", action="store_true", help="forget this copy's checkpoint, start over"
    )
    replay_sub = replay.add_subparsers(dest="action", required=False)
    rejected = replay_sub.add_parser(
        "rejected", help="parse ingest.rejected.v1 again; publish what parses now"
    )
    rejected.add_argument("--limit", type=int, default=None)
    rejected.add_argument("--from-beginning", action="store_true", help="every record again")
    rejected.add_argument("--rate", help="publishes a second at most (e.g. 100/s)")
    rejected.add_argument("--dry-run", action="store_true", help="say what would be published")
    group = replay_sub.add_parser(
        "group", help="a stopped consumer group reads a topic again from a point in time"
    )
    group.add_argument("group", help="the consumer group (a service's SMSBUS_<SERVICE>_GROUP_ID)")
    group.add_argument("--topic", required=True)
    start = group.add_mutually_exclusive_group(required=True)
    start.add_argument(
        "--since", type=_aware_datetime, help="ISO-8601 with a UTC offset, e.g. 2026-11-29T06:00Z"
    )
    start.add_argument("--from-beginning", action="store_true", help="the whole topic again")
    group.add_argument("--dry-run", action="store_true", help="say what would be read again")

    tail = sub.add_parser("tail", help="print a topic's records as they arrive (JSON lines)")
    tail.add_argument("topic")
    tail.add_argument("--from-beginning", action="store_true", help="not only what arrives now")
    tail.add_argument("--limit", type=int, default=None, help="stop after this many records")
    _add_filters(tail)

    imports = sub.add_parser("import", help="import a file through a service, with progress")
    imports_sub = imports.add_subparsers(dest="action", required=True)
    contacts = imports_sub.add_parser("contacts", help="a CSV of contacts (campaign-engine)")
    contacts.add_argument("file", type=Path)
    contacts.add_argument("--mapping", help='JSON {"CSV column": "our field"}')
    contacts.add_argument("--list-name", help="a new static list for them")
    contacts.add_argument("--list-id", help="an existing static list to add them to")
    dnc = imports_sub.add_parser("dnc", help="a do-not-call list (compliance)")
    dnc.add_argument("file", type=Path)
    dnc.add_argument("--format", choices=("plain", "ftc_full", "ftc_change"), default="plain")
    dnc.add_argument("--list-name", help="default: ftc for FTC files, imported for plain")

    lag = sub.add_parser("lag", help="how many records each consumer group has not read yet")
    lag.add_argument(
        "--max", type=int, default=None, help="exit 1 if a group is more records behind than this"
    )

    sub.add_parser(
        "demo", help="walk through what the running stack guarantees, verifying each step"
    )

    docs = sub.add_parser("readme", help="regenerate README.md's topic table from the registry")
    docs.add_argument("--check", action="store_true", help="fail if README.md is out of date")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    config = StackConfig.load()
    match args.command, getattr(args, "action", None):
        case "stack", "up":
            commands.up(config)
        case "stack", "down":
            commands.down(config)
        case "stack", "status":
            sys.exit(0 if commands.status(config) else 1)
        case "stack", "logs":
            commands.logs(config)
        case "stack", "test":
            sys.exit(commands.run_tests(config, _strip_separator(args.pytest_args)))
        case "topics", _:
            print(topic_table.render_markdown())
        case "provision", _:
            provision(config)
        case "migrate", _:
            run_migrations(config)
        case "dlq", _:
            sys.exit(operations.dlq(config.kafka_bootstrap, args))
        case "replay", None:
            sys.exit(
                replay_command.run(
                    args, bootstrap=config.kafka_bootstrap, state_dir=config.state_dir
                )
            )
        case "replay", "rejected":
            sys.exit(operations.replay_rejected(config.kafka_bootstrap, args))
        case "replay", "group":
            sys.exit(operations.replay_group(config.kafka_bootstrap, args))
        case "lag", _:
            sys.exit(operations.lag(config.kafka_bootstrap, args))
        case "tail", _:
            sys.exit(operations.tail(config.kafka_bootstrap, args))
        case "import", _:
            sys.exit(imports.run(config, args))
        case "demo", _:
            sys.exit(demo.run(config))
        case "readme", _:
            sys.exit(readme.sync(config.repo / "README.md", check_only=args.check))


def _add_filters(parser: argparse.ArgumentParser) -> None:
    """Each filter takes several values (any of them); given filters must all match."""
    filters = parser.add_argument_group("filters")
    extend: dict[str, Any] = {"action": "extend", "nargs": "+"}
    filters.add_argument(
        "--type",
        dest="types",
        metavar="TYPE",
        **extend,
        help="event types, patterns too (message.*)",
    )
    filters.add_argument(
        "--phone",
        dest="phones",
        metavar="E164",
        **extend,
        help="the key or a number the event names",
    )
    filters.add_argument("--dedupe-key", dest="dedupe_keys", metavar="KEY", **extend)
    filters.add_argument(
        "--source",
        dest="sources",
        metavar="SOURCE",
        **extend,
        help="openphone.webhook, reconciler…",
    )


def _aware_datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no UTC offset (add Z or +00:00)")
    return moment


def _strip_separator(args: list[str]) -> list[str]:
    return args[1:] if args[:1] == ["--"] else args
