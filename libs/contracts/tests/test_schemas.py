import json
from pathlib import Path

from smsbus.contracts import EVENT_TYPES
from smsbus.contracts.schemagen import (
    REGENERATE,
    SCHEMA_DIR,
    breaking,
    drift,
    generate,
    main,
    read_schemas,
    render,
)

TESTDATA = Path(__file__).parents[1] / "testdata"


def test_committed_schemas_match_the_models() -> None:
    problems = drift(committed=read_schemas(SCHEMA_DIR), generated=generate())

    assert not problems, f"run `{REGENERATE}`:\n" + "\n".join(problems)


def test_check_command_passes_on_the_committed_schemas() -> None:
    assert main(["--check"]) == 0


def test_every_event_type_has_one_sample_and_one_schema() -> None:
    assert sorted(p.stem for p in TESTDATA.glob("*.json")) == sorted(EVENT_TYPES)
    assert sorted(p.name.rsplit(".", 2)[0] for p in SCHEMA_DIR.glob("*.json")) == sorted(
        EVENT_TYPES
    )


def test_schema_files_are_sorted_indented_and_name_their_event_type() -> None:
    for name, text in generate().items():
        schema = json.loads(text)
        assert text == render(schema), name
        assert text.endswith("}\n"), name
        assert name == f"{schema['properties']['type']['const']}.v1.json"


def test_drift_names_missing_stale_and_changed_files() -> None:
    committed = {"a.v1.json": "{}\n", "b.v1.json": "{}\n", "old.v1.json": "{}\n"}
    generated = {"a.v1.json": "{}\n", "b.v1.json": '{"type": "object"}\n', "c.v1.json": "{}\n"}

    assert drift(committed, generated) == [
        "c.v1.json: missing",
        "old.v1.json: no longer generated",
        "b.v1.json: differs from the models",
    ]


def test_breaking_compares_files_of_the_same_name() -> None:
    baseline = {"a.v1.json": '{"properties": {"x": {"type": "string"}}}'}
    generated = {
        "a.v1.json": '{"properties": {"x": {"type": "integer"}}}',
        "a.v2.json": '{"properties": {}}',
    }

    assert breaking(baseline, generated) == [
        "a.v1.json: type_narrowed at $.x: string no longer accepted"
    ]
