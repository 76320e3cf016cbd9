"""The AsyncAPI document: committed and current, every event type a message on its topic with
the committed schema as its payload, the headers and key on the wire, consumer groups and their
dead-letter topics, and each service's part holding exactly its own channels."""

import json
from pathlib import Path
from typing import Any

import pytest

from smsbus.contracts import ROUTES, all_dlq_topics, all_topics, consumer_groups, dlq_topic
from smsbus.contracts.asyncapi import (
    DOCUMENT_PATH,
    REGENERATE,
    document,
    load_inputs,
    main,
    render,
    services,
)
from smsbus.contracts.asyncapi_parts import DEAD_LETTER_HEADERS, hoist_definitions

SCHEMAS, SAMPLES = load_inputs()
DOC = document(SCHEMAS, SAMPLES)
SERVICES = services()


def expand(node: Any, doc: dict[str, Any]) -> Any:
    """`node` with every local `$ref` replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return expand(target, doc)
        return {key: expand(value, doc) for key, value in node.items()}
    if isinstance(node, list):
        return [expand(item, doc) for item in node]
    return node


def test_the_committed_document_is_the_generated_one() -> None:
    assert DOCUMENT_PATH.read_text() == render(DOC), f"run `{REGENERATE}`"
    assert main(["--check"]) == 0


def test_each_event_type_is_a_message_of_its_topic_with_the_committed_schema() -> None:
    for route in ROUTES:
        channel = DOC["channels"][route.topic]
        assert channel["address"] == route.topic
        message = expand(channel["messages"][route.event_type], DOC)
        committed = dict(SCHEMAS[route.event_type])
        definitions = {"$defs": committed.pop("$defs", {})}
        assert message["payload"] == expand(committed, definitions)
        assert message["payload"]["properties"]["type"]["const"] == route.event_type
        assert message["headers"]["properties"]["event-type"]["const"] == route.event_type
        assert message["headers"]["required"] == ["event-type", "event-id"]
        assert message["bindings"]["kafka"]["key"]["description"] == route.key_description
        assert message["examples"][0]["payload"] == SAMPLES[route.event_type]
    assert sum(len(DOC["channels"][t]["messages"]) for t in all_topics()) == len(ROUTES)


def test_consumer_groups_receive_their_topics_and_dead_letter_to_their_own() -> None:
    groups = [(topic, group) for topic in all_topics() for group in consumer_groups(topic)]
    assert {dlq_topic(topic, group) for topic, group in groups} == set(all_dlq_topics())
    assert set(DOC["channels"]) == set(all_topics()) | set(all_dlq_topics())
    for topic, group in groups:
        receive = DOC["operations"][f"{group}.receive.{topic}"]
        assert receive["action"] == "receive"
        assert receive["bindings"]["kafka"]["groupId"]["enum"] == [group]
        assert expand(receive["channel"], DOC)["address"] == topic
        dlq = DOC["channels"][dlq_topic(topic, group)]
        (dead,) = (expand(m, DOC) for m in dlq["messages"].values())
        assert set(DEAD_LETTER_HEADERS) <= set(dead["headers"]["required"])
        carried = {option["properties"]["type"]["const"] for option in dead["payload"]["oneOf"]}
        assert carried == {route.event_type for route in ROUTES if route.topic == topic}
        assert DOC["operations"][f"{group}.send.{dlq_topic(topic, group)}"]["action"] == "send"


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_document_holds_exactly_its_own_channels(service: str) -> None:
    mine = document(SCHEMAS, SAMPLES, service=service)
    produced = {route.topic for route in ROUTES if service in route.producers}
    consumed = {route.topic for route in ROUTES if service in route.consumers}
    dead_letters = {dlq_topic(topic, service) for topic in consumed}
    assert set(mine["channels"]) == produced | consumed | dead_letters
    assert {op["x-service"] for op in mine["operations"].values()} == {service}
    sends = {expand(op["channel"], mine)["address"] for op in mine["operations"].values()
             if op["action"] == "send"}  # fmt: skip
    assert sends == produced | dead_letters
    expand(mine, mine)  # every reference resolves within the service's own document
    assert json.loads(render(mine))["info"]["title"] == f"smsbus {service} events"


def test_each_service_document_is_written_for_the_validator(tmp_path: Path) -> None:
    assert main(["--services", str(tmp_path)]) == 0
    assert sorted(p.stem for p in tmp_path.iterdir()) == SERVICES == [
        "campaign-engine", "compliance", "health-monitor", "ingest-webhooks", "reconciler",
    ]  # fmt: skip


def test_a_name_the_registry_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="neither produces nor consumes"):
        document(SCHEMAS, service="billing")


def test_two_different_models_of_one_name_are_refused() -> None:
    components: dict[str, Any] = {"schemas": {}}
    hoist_definitions({"$defs": {"Line": {"type": "string"}}}, components)
    with pytest.raises(ValueError, match="'Line'"):
        hoist_definitions({"$defs": {"Line": {"type": "integer"}}}, components)
    moved = hoist_definitions(
        {"$defs": {"Line": {"type": "string"}}, "items": {"$ref": "#/$defs/Line"}}, components
    )
    assert moved == {"items": {"$ref": "#/components/schemas/Line"}}
