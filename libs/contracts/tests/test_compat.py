import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from smsbus.contracts.compat import breaking_changes
from smsbus.contracts.schemagen import SCHEMA_DIR

Schema = dict[str, Any]


def committed(name: str) -> Schema:
    schema: Schema = json.loads((SCHEMA_DIR / name).read_text())
    return schema


MESSAGE = committed("message.received.v1.json")
CALL = committed("call.completed.v1.json")


def changed(schema: Schema, change: Callable[[Schema], object]) -> Schema:
    copied = copy.deepcopy(schema)
    change(copied)
    return copied


def message_fields(schema: Schema) -> Schema:
    fields: Schema = schema["$defs"]["Message"]["properties"]
    return fields


def add_optional_field(schema: Schema) -> None:
    message_fields(schema)["segments"] = {"type": "integer"}


def add_required_field(schema: Schema) -> None:
    add_optional_field(schema)
    schema["$defs"]["Message"]["required"].append("segments")


def make_conversation_id_non_null(schema: Schema) -> None:
    message_fields(schema)["conversationId"] = {"type": "string"}


def drop_failed_status(schema: Schema) -> None:
    message_fields(schema)["status"]["enum"].remove("failed")


BREAKING_CASES = [
    pytest.param(MESSAGE, lambda s: message_fields(s).pop("text"), [("field_removed", "$.data.text")], id="field removed"),
    pytest.param(MESSAGE, lambda s: message_fields(s)["text"].update(type="integer"), [("type_narrowed", "$.data.text")], id="string narrowed to integer"),
    pytest.param(MESSAGE, make_conversation_id_non_null, [("type_narrowed", "$.data.conversationId")], id="nullable becomes non-null"),
    pytest.param(MESSAGE, drop_failed_status, [("type_narrowed", "$.data.status")], id="enum loses a value"),
    pytest.param(MESSAGE, add_required_field, [("required_added", "$.data.segments")], id="new required field"),
    pytest.param(MESSAGE, lambda s: s["$defs"]["Message"]["required"].append("conversationId"), [("required_added", "$.data.conversationId")], id="optional field becomes required"),
    pytest.param(MESSAGE, lambda s: s["$defs"]["MessageMedia"]["properties"].pop("url"), [("field_removed", "$.data.media[].url")], id="field removed inside an array item through a $ref"),
    pytest.param(CALL, lambda s: s["$defs"]["CallMedia"]["properties"]["duration"]["anyOf"].pop(0), [("type_narrowed", "$.data.media[].duration"), ("type_narrowed", "$.data.voicemail.duration")], id="union loses a member, seen through both uses of a shared definition"),
    pytest.param(MESSAGE, lambda s: s["$defs"]["Message"].update(additionalProperties=False), [("type_narrowed", "$.data.*")], id="unknown fields no longer allowed"),
    pytest.param(MESSAGE, lambda s: s["properties"].pop("correlation_id"), [("field_removed", "$.correlation_id")], id="envelope field removed"),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "change", "expected"), BREAKING_CASES)
def test_breaking_change_is_caught(
    schema: Schema, change: Callable[[Schema], object], expected: list[tuple[str, str]]
) -> None:
    found = breaking_changes(schema, changed(schema, change))

    assert sorted((c.kind, c.path) for c in found) == expected


ADDITIVE_CASES = [
    pytest.param(MESSAGE, lambda _: None, id="unchanged"),
    pytest.param(MESSAGE, add_optional_field, id="new optional field"),
    pytest.param(MESSAGE, lambda s: message_fields(s)["status"]["enum"].append("scheduled"), id="enum gains a value"),
    pytest.param(MESSAGE, lambda s: message_fields(s).update(text={"anyOf": [{"type": "string"}, {"type": "null"}]}), id="field becomes nullable"),
    pytest.param(MESSAGE, lambda s: s["$defs"]["Message"]["required"].remove("text"), id="required field becomes optional"),
    pytest.param(CALL, lambda s: s["$defs"]["CallMedia"]["properties"]["duration"]["anyOf"][0].update(type="number"), id="integer widened to number"),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "change"), ADDITIVE_CASES)
def test_additive_change_passes(schema: Schema, change: Callable[[Schema], object]) -> None:
    assert breaking_changes(schema, changed(schema, change)) == []


def test_every_committed_schema_is_compatible_with_itself() -> None:
    for path in SCHEMA_DIR.glob("*.json"):
        schema = json.loads(path.read_text())
        assert breaking_changes(schema, copy.deepcopy(schema)) == [], path.name


def test_recursive_schemas_terminate() -> None:
    tree = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            }
        },
        "$ref": "#/$defs/Node",
    }
    narrowed = changed(tree, lambda s: s["$defs"]["Node"].update(required=["children"]))

    assert [(c.kind, c.path) for c in breaking_changes(tree, narrowed)] == [
        ("required_added", "$.children")
    ]


def test_remote_refs_are_refused() -> None:
    with pytest.raises(ValueError, match="only local"):
        breaking_changes({"$ref": "https://example.com/x.json"}, {})
