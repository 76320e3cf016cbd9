"""Generate the committed JSON Schemas, one per event type, and check them for drift.

    ./uv run python -m smsbus.contracts.schemagen --write   # regenerate libs/contracts/schemas/
    ./uv run python -m smsbus.contracts.schemagen --check   # fail on drift or a breaking change

`--write` refuses a breaking change: bump the route's schema_version (a new major, a new file)
instead. `--check --baseline DIR` compares against another copy (e.g. the main branch's schemas).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from smsbus.contracts.codec import envelope_model
from smsbus.contracts.compat import breaking_changes
from smsbus.contracts.topics import ROUTES, Route

SCHEMA_DIR = Path(__file__).resolve().parents[3] / "schemas"
REGENERATE = "./uv run python -m smsbus.contracts.schemagen --write"


def schema_filename(route: Route) -> str:
    return f"{route.event_type}.v{route.schema_version}.json"


def event_schema(route: Route) -> dict[str, Any]:
    schema = envelope_model(route.model).model_json_schema()
    schema["title"] = f"{route.event_type} v{route.schema_version}"
    schema["description"] = route.description
    schema["properties"]["type"]["const"] = route.event_type
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[str, str]:
    """File name -> file text for every event type."""
    return {schema_filename(route): render(event_schema(route)) for route in ROUTES}


def read_schemas(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(directory.glob("*.json"))}


def drift(committed: dict[str, str], generated: dict[str, str]) -> list[str]:
    problems = [f"{name}: missing" for name in sorted(generated.keys() - committed.keys())]
    problems += [f"{name}: no longer generated" for name in sorted(committed.keys() - generated)]
    problems += [
        f"{name}: differs from the models"
        for name in sorted(generated.keys() & committed.keys())
        if generated[name] != committed[name]
    ]
    return problems


def breaking(baseline: dict[str, str], generated: dict[str, str]) -> list[str]:
    """Breaking changes of each generated schema against the baseline file of the same name."""
    return [
        f"{name}: {change}"
        for name in sorted(generated.keys() & baseline.keys())
        for change in breaking_changes(json.loads(baseline[name]), json.loads(generated[name]))
    ]


_BREAKING = "breaking changes within a major version (bump the route's schema_version instead):"


def _write(directory: Path, generated: dict[str, str]) -> int:
    committed = read_schemas(directory)
    if refused := breaking(committed, generated):
        _report(_BREAKING, refused)
        return 1
    directory.mkdir(parents=True, exist_ok=True)
    for name in committed.keys() - generated.keys():
        (directory / name).unlink()
    for name, text in generated.items():
        if committed.get(name) != text:
            (directory / name).write_text(text)
    return 0


def _check(directory: Path, baseline_directory: Path, generated: dict[str, str]) -> int:
    if drifted := drift(read_schemas(directory), generated):
        _report(f"schemas in {directory} are out of date; run `{REGENERATE}`:", drifted)
    if broken := breaking(read_schemas(baseline_directory), generated):
        _report(_BREAKING, broken)
    return 1 if drifted or broken else 0


def _report(headline: str, problems: list[str]) -> None:
    sys.stderr.write("\n  ".join([headline, *problems]) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smsbus.contracts.schemagen")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="regenerate the schema files")
    mode.add_argument("--check", action="store_true", help="fail on drift or breaking changes")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help="schema directory")
    parser.add_argument("--baseline", type=Path, help="compare against these schemas (--check)")
    args = parser.parse_args(argv)
    generated = generate()
    if args.write:
        return _write(args.dir, generated)
    return _check(args.dir, args.baseline or args.dir, generated)


if __name__ == "__main__":
    raise SystemExit(main())
