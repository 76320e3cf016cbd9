"""The pieces of the AsyncAPI document (asyncapi.py) that are data: the Kafka headers on the
wire, one message per event type, the dead-letter message, the document's description."""

from __future__ import annotations

from typing import Any, Final

from smsbus.contracts.topics import Route

Json = dict[str, Any]

KAFKA_BINDING: Final = "0.5.0"

# What every event carries besides its value (smsbus.runtime.kafka writes them; values are UTF-8).
EVENT_HEADERS: Final[dict[str, str]] = {
    "event-type": "The envelope's `type`: filter without decoding the value.",
    "event-id": "The envelope's `event_id`.",
    "correlation-id": "The envelope's `correlation_id`, when it has one.",
    "content-type": "Written by FastStream; empty (the value is JSON bytes).",
    "correlation_id": "Written by FastStream: `correlation-id` when there is one, else a fresh id.",
}
# On a record an operator published again (`smsbus replay`, `smsbus dlq replay`,
# `smsbus replay rejected`); the value, key and the headers above are the original's.
REPLAY_HEADERS: Final[dict[str, str]] = {
    "x-replayed-from": "`topic/partition/offset` of the record this one is a copy of.",
    "x-replayed-at": "When it was copied (ISO 8601, UTC).",
    "x-replayed-by": "The replay that copied it (`smsbus replay`'s checkpoint id).",
    "x-replayed-timestamp": "The original record's timestamp (milliseconds since the epoch).",
}
# What the runtime adds when it dead-letters a record (smsbus.runtime.failures).
DEAD_LETTER_HEADERS: Final[dict[str, str]] = {
    "x-error-message": "The exception's message.",
    "x-error-type": "The exception's qualified type, e.g. `builtins.ValueError`.",
    "x-error-frame": "The last frame of the traceback.",
    "x-attempts": "How many times the consumer tried.",
    "x-original-topic": "Where the record was read.",
    "x-original-partition": "Its partition there.",
    "x-original-offset": "Its offset there.",
    "x-consumer-group": "The group that gave up on it.",
}

INFO_DESCRIPTION: Final = """\
The events of smsbus, generated from the topic registry (`smsbus.contracts.topics`) and the
committed JSON Schemas (`libs/contracts/schemas/`).

Every record's value is one **envelope** (JSON): `event_id`, `type`, `schema_version`, `source`
(`openphone.webhook`, `reconciler`, a service), `occurred_at`, `recorded_at`, `dedupe_key`,
`correlation_id` and `data`, the typed payload. Its headers repeat `event-type` and `event-id` so
a consumer can filter without decoding. The key is the partition key the registry names (for
messages and calls: the external participant's E.164 number), and order is promised per key.

Delivery is **at least once**: a webhook and the reconciler's copy of the same fact, a redelivery,
a replay all carry the same `dedupe_key`. Deduplicate by it, in the same transaction as your effect.
A major version lives in the topic's name; within it, fields are only added.

Consumer group `G` of topic `T` dead-letters a poison event to `T.G.dlq`.
"""


def hoist_definitions(schema: Json, components: Json) -> Json:
    """Moves the schema's `$defs` into `components/schemas` (AsyncAPI resolves `$ref` against
    the whole document) and points the references there. The same name must mean the same
    model everywhere: one model, one schema."""
    for name, definition in schema.pop("$defs", {}).items():
        moved = _repoint(definition)
        known = components["schemas"].setdefault(name, moved)
        if known != moved:
            raise ValueError(f"two different schemas are both called {name!r}")
    repointed: Json = _repoint(schema)
    return repointed


def _repoint(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                value.replace("#/$defs/", "#/components/schemas/")
                if key == "$ref" and isinstance(value, str)
                else _repoint(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_repoint(item) for item in node]
    return node


def _headers_schema(event_type: str | None, extra: dict[str, str] | None = None) -> Json:
    properties: Json = {
        name: {"type": "string", "description": text} for name, text in EVENT_HEADERS.items()
    }
    if event_type:
        properties["event-type"]["const"] = event_type
    properties |= {
        name: {"type": "string", "description": f"{text} Only on a replayed record."}
        for name, text in REPLAY_HEADERS.items()
    }
    required = ["event-type", "event-id"]
    for name, text in (extra or {}).items():
        properties[name] = {"type": "string", "description": text}
        required.append(name)
    return {"type": "object", "properties": properties, "required": required}


def _key_binding(routes: list[Route]) -> Json:
    keys = "; ".join(sorted({route.key_description for route in routes}))
    return {
        "kafka": {"key": {"type": "string", "description": keys}, "bindingVersion": KAFKA_BINDING}
    }


def schema_id(route: Route) -> str:
    """The envelope schema's name in `components/schemas`: its committed file's stem."""
    return f"{route.event_type}.v{route.schema_version}"


def event_message(route: Route, sample: Json | None) -> Json:
    message: Json = {
        "name": route.event_type,
        "title": f"{route.event_type} v{route.schema_version}",
        "summary": route.description,
        "contentType": "application/json",
        "correlationId": {"location": "$message.header#/correlation-id"},
        "headers": _headers_schema(route.event_type),
        "payload": {"$ref": f"#/components/schemas/{schema_id(route)}"},
        "bindings": _key_binding([route]),
    }
    if sample is not None:
        headers = {"event-type": sample["type"], "event-id": sample["event_id"]}
        if sample.get("correlation_id"):
            headers["correlation-id"] = sample["correlation_id"]
        message["examples"] = [{"name": "sample", "headers": headers, "payload": sample}]
    return message


def dead_letter_message(topic: str, routes: list[Route]) -> Json:
    return {
        "name": f"{topic}.dead-letter",
        "title": f"A dead letter of {topic}",
        "summary": "The original record, as it was, plus why its consumer gave up.",
        "contentType": "application/json",
        "headers": _headers_schema(None, DEAD_LETTER_HEADERS),
        "payload": {
            "oneOf": [{"$ref": f"#/components/schemas/{schema_id(route)}"} for route in routes]
        },
        "bindings": _key_binding(routes),
    }
