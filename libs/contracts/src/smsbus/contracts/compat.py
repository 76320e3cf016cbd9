"""Breaking changes between two JSON Schemas of the same contract within one major version.

Breaking means a reader of the old contract can be handed data the new one rejects, or a producer
of the old one can send data the new one rejects: a field removed, a type narrowed (a JSON type,
a union member, an enum value or null no longer accepted), or a field newly required.
Value constraints (lengths, patterns, bounds) are not compared.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

Schema = dict[str, Any]
ChangeKind = Literal["field_removed", "type_narrowed", "required_added"]

_ANY_VALUE = None  # in a domain: every value of that JSON type is accepted
_ALL_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


@dataclass(frozen=True)
class BreakingChange:
    kind: ChangeKind
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.path}: {self.detail}"


def breaking_changes(old: Schema, new: Schema) -> list[BreakingChange]:
    return list(_Comparison(old, new).compare(old, new, "$", frozenset()))


class _Comparison:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._old_root = old_root
        self._new_root = new_root

    def compare(
        self, old: Schema, new: Schema, path: str, ancestors: frozenset[tuple[int, int]]
    ) -> Iterator[BreakingChange]:
        """`ancestors`: the node pairs being compared above this one; a recursive schema (a $ref
        cycle) stops where it meets one again."""
        old_branches = _branches(old, self._old_root)
        new_branches = _branches(new, self._new_root)
        yield from _narrowed_domain(_domain(old_branches), _domain(new_branches), path)
        for kind in ("object", "array"):
            old_kind = [branch for branch in old_branches if _is(branch, kind)]
            new_kind = [branch for branch in new_branches if _is(branch, kind)]
            for old_branch, new_branch in _pairs(old_kind, new_kind):
                pair = (id(old_branch), id(new_branch))
                if pair in ancestors:
                    continue
                inner = ancestors | {pair}
                if kind == "object":
                    yield from self._compare_objects(old_branch, new_branch, path, inner)
                elif "items" in old_branch and "items" in new_branch:
                    items = old_branch["items"], new_branch["items"]
                    yield from self.compare(*items, f"{path}[]", inner)

    def _compare_objects(
        self, old: Schema, new: Schema, path: str, ancestors: frozenset[tuple[int, int]]
    ) -> Iterator[BreakingChange]:
        old_properties: Schema = old.get("properties", {})
        new_properties: Schema = new.get("properties", {})
        for name, old_property in old_properties.items():
            if name not in new_properties:
                yield BreakingChange("field_removed", f"{path}.{name}", "no longer in the schema")
            else:
                yield from self.compare(
                    old_property, new_properties[name], f"{path}.{name}", ancestors
                )
        for name in sorted(set(new.get("required", ())) - set(old.get("required", ()))):
            yield BreakingChange("required_added", f"{path}.{name}", "now required")
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if new_extra is False and old_extra is not False:
            yield BreakingChange("type_narrowed", f"{path}.*", "unknown fields now rejected")
        elif isinstance(old_extra, dict) or isinstance(new_extra, dict):
            extra = _as_schema(old_extra), _as_schema(new_extra)
            yield from self.compare(*extra, f"{path}.*", ancestors)


def _as_schema(value: bool | Schema) -> Schema:
    if value is True:
        return {}
    if value is False:
        return {"not": {}}
    return value


def _resolve(schema: Schema, root: Schema) -> Schema:
    # Keywords beside a $ref are annotations (title, description) in what pydantic emits, so the
    # target alone decides; returning the target itself also keeps node identity for `ancestors`.
    while "$ref" in schema:
        reference: str = schema["$ref"]
        if not reference.startswith("#/"):
            raise ValueError(f"only local $refs are supported, got {reference!r}")
        target: Any = root
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        schema = target
    return schema


def _branches(schema: Schema, root: Schema) -> list[Schema]:
    """The alternatives a schema accepts, with $refs resolved and unions flattened."""
    schema = _resolve(schema, root)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives is None and len(schema.get("allOf", ())) == 1:
        alternatives = schema["allOf"]
    if alternatives is None:
        return [schema]
    return [branch for alternative in alternatives for branch in _branches(alternative, root)]


def _types(schema: Schema) -> tuple[str, ...]:
    if schema.get("not") == {}:
        return ()
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(declared)
    if "properties" in schema:
        return ("object",)
    if "items" in schema:
        return ("array",)
    return _ALL_TYPES


def _is(schema: Schema, kind: str) -> bool:
    return kind in _types(schema) and "enum" not in schema and "const" not in schema


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


Domain = dict[str, frozenset[str] | None]


def _domain(branches: list[Schema]) -> Domain:
    """JSON type -> the values accepted of that type (as JSON text), or _ANY_VALUE."""
    domain: Domain = {}
    for branch in branches:
        values = [branch["const"]] if "const" in branch else branch.get("enum")
        if values is None:
            domain.update(dict.fromkeys(_types(branch), _ANY_VALUE))
            continue
        for value in values:
            json_type = _json_type(value)
            accepted = domain.get(json_type, frozenset())
            if accepted is not _ANY_VALUE:
                domain[json_type] = accepted | {_json_text(value)}
    return domain


def _json_text(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f'"{value}"'


def _narrowed_domain(old: Domain, new: Domain, path: str) -> Iterator[BreakingChange]:
    for json_type, old_values in old.items():
        if json_type in new:
            new_values = new[json_type]
        elif json_type == "integer" and "number" in new:
            new_values = new["number"]
        else:
            yield BreakingChange("type_narrowed", path, f"{json_type} no longer accepted")
            continue
        if new_values is _ANY_VALUE:
            continue
        if old_values is _ANY_VALUE:
            yield BreakingChange(
                "type_narrowed", path, f"{json_type} now restricted to {sorted(new_values)}"
            )
        elif lost := old_values - new_values:
            yield BreakingChange("type_narrowed", path, f"values {sorted(lost)} no longer accepted")


def _pairs(old: list[Schema], new: list[Schema]) -> Iterator[tuple[Schema, Schema]]:
    """Match union members: the only one of each, or those with the same title."""
    if len(old) == 1 and len(new) == 1:
        yield old[0], new[0]
        return
    new_by_title = {branch.get("title"): branch for branch in new if "title" in branch}
    for branch in old:
        if branch.get("title") in new_by_title:
            yield branch, new_by_title[branch["title"]]
