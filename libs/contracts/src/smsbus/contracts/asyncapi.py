"""The AsyncAPI 3.0 document of our topics, generated from the topic registry and the committed
JSON Schemas (schemas/, kept equal to the models by schemagen's drift check).

Channels are topics (and their dead-letter topics), messages are event types: the payload is the
envelope exactly as it is written (the committed schema, its `$defs` moved to
`components/schemas`), the headers are the Kafka headers every event carries, the Kafka binding
names the partition key. Operations say who sends each topic and which consumer groups receive
it. `document(service=…)` is one service's part: what it sends, what its groups receive, its
dead-letter topics (what each service serves at /asyncapi.json).

    ./uv run python -m smsbus.contracts.asyncapi --write     # docs/asyncapi.json
    ./uv run python -m smsbus.contracts.asyncapi --check     # fail if it is out of date
    ./uv run python -m smsbus.contracts.asyncapi --services DIR  # DIR/<service>.json each
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Final

from smsbus.contracts.asyncapi_parts import (
    DEAD_LETTER_HEADERS,
    INFO_DESCRIPTION,
    KAFKA_BINDING,
    dead_letter_message,
    event_message,
    hoist_definitions,
    schema_id,
)
from smsbus.contracts.schemagen import SCHEMA_DIR, read_schemas, schema_filename
from smsbus.contracts.topics import ROUTES, Route, all_topics, consumer_groups, dlq_topic

Json = dict[str, Any]

REPO_ROOT: Final = SCHEMA_DIR.parents[2]
DOCUMENT_PATH: Final = REPO_ROOT / "docs" / "asyncapi.json"
TESTDATA_DIR: Final = SCHEMA_DIR.parent / "testdata"
REGENERATE: Final = "./uv run python -m smsbus.contracts.asyncapi --write"
DLQ_REPLAY_GROUP: Final = "smsbus-dlq-replay"
"""The consumer group `smsbus dlq replay` keeps its progress in (tools/cli)."""
LOCAL_BROKER: Final = "127.0.0.1:9092"

__all__ = ["DEAD_LETTER_HEADERS", "DOCUMENT_PATH", "document", "load_inputs", "render", "services"]


def load_inputs(
    schema_dir: Path = SCHEMA_DIR, testdata_dir: Path = TESTDATA_DIR
) -> tuple[dict[str, Json], dict[str, Json]]:
    """The committed schema of each event type, and its sample envelope (when there is one)."""
    files = {name: json.loads(text) for name, text in read_schemas(schema_dir).items()}
    schemas: dict[str, Json] = {}
    for route in ROUTES:
        name = schema_filename(route)
        if name not in files:
            raise FileNotFoundError(f"{schema_dir / name} is missing: run schemagen --write")
        schemas[route.event_type] = files[name]
    samples = {
        route.event_type: json.loads(path.read_text())
        for route in ROUTES
        if (path := testdata_dir / f"{route.event_type}.json").is_file()
    }
    return schemas, samples


def document(
    schemas: Mapping[str, Json],
    samples: Mapping[str, Json] | None = None,
    *,
    service: str | None = None,
) -> Json:
    """Every topic's channel (or, with `service`, only what that service sends or receives)."""
    components: Json = {"schemas": {}, "messages": {}}
    channels: Json = {}
    operations: Json = {}
    for topic in all_topics():
        routes = [route for route in ROUTES if route.topic == topic]
        for route in routes:
            payload = hoist_definitions(copy.deepcopy(schemas[route.event_type]), components)
            components["schemas"][schema_id(route)] = payload
            components["messages"][route.event_type] = event_message(
                route, (samples or {}).get(route.event_type)
            )
        channels[topic] = _channel(topic, routes)
        operations.update(_topic_operations(topic, routes))
        for group in consumer_groups(topic):
            dlq = dlq_topic(topic, group)
            message_id = f"{topic}.dead-letter"
            components["messages"][message_id] = dead_letter_message(topic, routes)
            channels[dlq] = _dlq_channel(dlq, topic, group, message_id)
            operations.update(_dlq_operations(dlq, group, message_id))
    doc: Json = {
        "asyncapi": "3.0.0",
        "info": _info(service),
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": LOCAL_BROKER,
                "protocol": "kafka",
                "description": "The local stack's broker (`make up`); elsewhere the one "
                "SMSBUS_KAFKA_BOOTSTRAP names.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": components,
    }
    return _only(doc, service) if service else doc


def _info(service: str | None) -> Json:
    try:
        contracts = version("smsbus-contracts")
    except PackageNotFoundError:  # a source tree on sys.path, not installed
        contracts = "0.0.0"
    return {
        "title": f"smsbus {service} events" if service else "smsbus events",
        "version": contracts,
        "description": INFO_DESCRIPTION,
        "license": {"name": "Proprietary"},
    }


def _groups(routes: list[Route]) -> list[str]:
    """The consumer groups reading a topic: every group that handles one of its types."""
    return sorted({group for route in routes for group in route.consumers})


def _channel(topic: str, routes: list[Route]) -> Json:
    first = routes[0]
    keys = sorted({route.key_description for route in routes})
    groups = ", ".join(f"`{g}`" for g in _groups(routes)) or "none of ours"
    return {
        "address": topic,
        "title": topic,
        "description": (
            f"Produced by {', '.join(first.producers)}; consumer groups: {groups}. "
            f"Partition key: {'; '.join(keys)} (order is promised per key only). "
            "Delivery is at least once: deduplicate by the envelope's `dedupe_key`."
        ),
        "messages": {
            route.event_type: _ref("components/messages", route.event_type) for route in routes
        },
        "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING}},
    }


def _dlq_channel(dlq: str, topic: str, group: str, message_id: str) -> Json:
    return {
        "address": dlq,
        "title": dlq,
        "description": (
            f"Dead letters of consumer group `{group}` on `{topic}`: each is the original record "
            "(key, value, headers) plus the reason headers. `smsbus dlq list|show|replay` reads "
            "and replays them."
        ),
        "messages": {message_id: _ref("components/messages", message_id)},
        "bindings": {"kafka": {"topic": dlq, "bindingVersion": KAFKA_BINDING}},
    }


def _topic_operations(topic: str, routes: list[Route]) -> Iterator[tuple[str, Json]]:
    messages = [_channel_message(topic, route.event_type) for route in routes]
    for producer in routes[0].producers:
        yield (
            f"{producer}.send.{topic}",
            {
                "action": "send",
                "channel": _ref("channels", topic),
                "title": f"{producer} publishes to {topic}",
                "summary": "acks=all, idempotent producer; keyed by the registry's partition key.",
                "messages": messages,
                "x-service": producer,
            },
        )
    for group in _groups(routes):
        yield (
            f"{group}.receive.{topic}",
            {
                "action": "receive",
                "channel": _ref("channels", topic),
                "title": f"consumer group {group} reads {topic}",
                "summary": "At least once; effects once through the group's inbox (dedupe_key).",
                "messages": messages,
                "bindings": {"kafka": _group_binding(group)},
                "x-service": group,
            },
        )


def _dlq_operations(dlq: str, group: str, message_id: str) -> Iterator[tuple[str, Json]]:
    message = _channel_message(dlq, message_id)
    yield (
        f"{group}.send.{dlq}",
        {
            "action": "send",
            "channel": _ref("channels", dlq),
            "title": f"{group} dead-letters a poison event",
            "summary": "The partition flows on; the record waits here with its reason.",
            "messages": [message],
            "x-service": group,
        },
    )
    yield (
        f"{DLQ_REPLAY_GROUP}.receive.{dlq}",
        {
            "action": "receive",
            "channel": _ref("channels", dlq),
            "title": "smsbus dlq replay reads it",
            "summary": "The operator's replay, whose committed offset marks what was replayed.",
            "messages": [message],
            "bindings": {"kafka": _group_binding(DLQ_REPLAY_GROUP)},
        },
    )


def _group_binding(group: str) -> Json:
    return {"groupId": {"type": "string", "enum": [group]}, "bindingVersion": KAFKA_BINDING}


def _ref(section: str, name: str) -> Json:
    return {"$ref": f"#/{section}/{_pointer(name)}"}


def _channel_message(channel: str, message_id: str) -> Json:
    return {"$ref": f"#/channels/{_pointer(channel)}/messages/{_pointer(message_id)}"}


def _pointer(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _only(doc: Json, service: str) -> Json:
    """The operations of `service` (its producers' sends, its groups' receives and dead
    letters), the channels they use and the components those reach."""
    operations = {k: op for k, op in doc["operations"].items() if op.get("x-service") == service}
    if not operations:
        raise ValueError(f"{service!r} neither produces nor consumes any topic of the registry")
    used = {op["channel"]["$ref"].rsplit("/", 1)[1] for op in operations.values()}
    channels = {name: ch for name, ch in doc["channels"].items() if _pointer(name) in used}
    wanted = _reachable({"channels": channels, "operations": operations}, doc["components"])
    components = {
        section: {name: item for name, item in items.items() if (section, name) in wanted}
        for section, items in doc["components"].items()
    }
    return doc | {"channels": channels, "operations": operations, "components": components}


def _reachable(roots: Json, components: Json) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    pending = [roots]
    while pending:
        for ref in _refs(pending.pop()):
            parts = ref.split("/")
            if parts[:2] == ["#", "components"] and (parts[2], parts[3]) not in found:
                found.add((parts[2], parts[3]))
                pending.append(components[parts[2]][parts[3].replace("~1", "/")])
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def render(doc: Json) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def services() -> list[str]:
    """Every service the registry names as a producer or a consumer group."""
    return sorted({name for route in ROUTES for name in (*route.producers, *route.consumers)})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smsbus.contracts.asyncapi")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"regenerate {DOCUMENT_PATH.name}")
    mode.add_argument("--check", action="store_true", help="fail if the document is stale")
    mode.add_argument(
        "--services", type=Path, metavar="DIR", help="write each service's document to DIR"
    )
    args = parser.parse_args(argv)
    inputs = load_inputs()
    if args.services:
        args.services.mkdir(parents=True, exist_ok=True)
        for service in services():
            text = render(document(*inputs, service=service))
            (args.services / f"{service}.json").write_text(text)
        return 0
    text = render(document(*inputs))
    if args.write:
        DOCUMENT_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOCUMENT_PATH.write_text(text)
        return 0
    if not DOCUMENT_PATH.is_file() or DOCUMENT_PATH.read_text() != text:
        sys.stderr.write(f"{DOCUMENT_PATH} is out of date: run `{REGENERATE}`\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
