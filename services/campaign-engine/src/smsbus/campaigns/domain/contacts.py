"""Contacts as data: phone normalisation, CSV rows → contacts (every bad row reported with its
line number and reason), flags, and dynamic-list filters evaluated over a contact."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import phonenumbers

STANDARD = ("first_name", "last_name", "company", "email", "phone", "state", "city", "zip")


class InvalidPhone(ValueError):
    pass


def normalise(raw: str, *, region: str = "US") -> str:
    """E.164, or InvalidPhone with the reason."""
    text = raw.strip()
    if not text:
        raise InvalidPhone("empty phone")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class ContactRow:
    line: int
    phone: str
    standard: dict[str, str]
    custom: dict[str, str]


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str
    value: str | None = None


@dataclass
class ImportResult:
    rows: list[ContactRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[RowError] = field(default_factory=list)


def read_csv(
    lines: Iterable[str], *, mapping: Mapping[str, str] | None = None, region: str = "US"
) -> Iterator[ContactRow | RowError]:
    """Streams a CSV with a header row; `mapping` maps CSV column → our field (else by name).

    Columns that are not standard fields are kept as custom fields (for templates). Line
    numbers are the file's (the header is line 1)."""
    reader = csv.DictReader(lines)
    columns = mapping or {}
    for record in reader:
        line = reader.line_num
        standard: dict[str, str] = {}
        custom: dict[str, str] = {}
        for column, value in record.items():
            if column is None:
                yield RowError(line, "more values than columns")
                break
            name = columns.get(column, column.strip().lower().replace(" ", "_"))
            text = (value or "").strip()
            if name in STANDARD:
                standard[name] = text
            elif text:
                custom[name] = text
        else:
            raw = standard.get("phone", "")
            try:
                phone = normalise(raw, region=region)
            except InvalidPhone as exc:
                yield RowError(line, str(exc), raw or None)
                continue
            yield ContactRow(line, phone, {k: v for k, v in standard.items() if v}, custom)


# Dynamic lists: a filter is {"all": [conditions]} where a condition is
# {"field": name, "op": eq|ne|in|exists|missing|contains|prefix, "value": ...}.
Op = Literal["eq", "ne", "in", "exists", "missing", "contains", "prefix"]
OPS: frozenset[str] = frozenset({"eq", "ne", "in", "exists", "missing", "contains", "prefix"})


def check_filter(spec: Mapping[str, Any]) -> None:
    conditions = spec.get("all")
    if not isinstance(conditions, list):
        raise ValueError("a filter is {'all': [conditions]}")
    for i, condition in enumerate(conditions):
        if not isinstance(condition, dict) or not isinstance(condition.get("field"), str):
            raise ValueError(f"condition {i}: needs a 'field'")
        if condition.get("op") not in OPS:
            raise ValueError(f"condition {i}: op must be one of {sorted(OPS)}")


def matches(spec: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    conditions = spec.get("all", [])
    return all(_holds(c, values.get(c["field"])) for c in conditions)


def _holds(condition: Mapping[str, Any], actual: Any) -> bool:
    expected = condition.get("value")
    op = condition["op"]
    text = "" if actual is None else str(actual).lower()
    wanted = "" if expected is None else str(expected).lower()
    if op == "eq":
        return text == wanted
    if op == "ne":
        return text != wanted
    if op == "in":
        return text in {str(v).lower() for v in (expected or [])}
    if op == "exists":
        return actual not in (None, "", False)
    if op == "missing":
        return actual in (None, "", False)
    if op == "contains":
        return wanted in text
    return text.startswith(wanted)


def flag_values(
    *,
    office_number: bool,
    do_not_contact: bool,
    recently_texted_until: datetime | None,
    now: datetime,
) -> dict[str, bool]:
    """The contact flags as filterable fields (recently texted expires)."""
    return {
        "office_number": office_number,
        "do_not_contact": do_not_contact,
        "recently_texted": recently_texted_until is not None and recently_texted_until > now,
    }
