"""Contacts as data: CSV rows → contacts (every bad row reported with its line number and
reason; phones to E.164 by `phones`), flags, and dynamic-list filters evaluated over a contact."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from smsbus.campaigns.domain.phones import InvalidPhone as InvalidPhone
from smsbus.campaigns.domain.phones import normalise as normalise
from smsbus.rules.places import state_code

STANDARD = ("first_name", "last_name", "company", "email", "phone", "state", "city", "zip")
CONSENT = ("consent", "consent_source", "consent_at", "consent_text")
"""Consent and its evidence: never a contact's field; an import hands them to compliance, the
only writer of consent (values as compliance's consent imports read them)."""
ZIP_LENGTH = 10
"""contacts.zip's width: a longer one is a bad row, not a failed import."""


@dataclass(frozen=True)
class ContactRow:
    line: int
    phone: str
    standard: dict[str, str]
    custom: dict[str, str]
    consent: dict[str, str] = field(default_factory=dict)
    """The row's non-empty CONSENT columns."""


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

    Columns that are not standard fields are kept as custom fields (for templates), but for
    the CONSENT columns, kept apart. Line numbers are the file's (the header is line 1).
    Reads rows as csv.DictReader would (blank lines skipped, a repeated column's last value,
    short rows padded), with the header's names worked out once rather than per row."""
    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        return
    if "\x00" in "".join(header):  # a column's name becomes a custom field's (jsonb) key
        raise csv.Error("NUL character in the header")
    standard_columns, custom_columns, consent_columns = _columns(header, mapping or {})
    width = len(header)
    for values in reader:
        if not values:
            continue
        line = reader.line_num
        if len(values) > width:
            yield RowError(line, "more values than columns")
            continue
        if "\x00" in "".join(values):  # PostgreSQL's text cannot hold one
            yield RowError(line, "NUL character in a value")
            continue
        if len(values) < width:
            values += [""] * (width - len(values))
        standard = {name: values[i].strip() for name, i in standard_columns}
        custom = {name: text for name, i in custom_columns if (text := values[i].strip())}
        consent = {name: text for name, i in consent_columns if (text := values[i].strip())}
        yield _contact_or_error(line, standard, custom, region, consent)


def _contact_or_error(
    line: int,
    standard: dict[str, str],
    custom: dict[str, str],
    region: str,
    consent: dict[str, str],
) -> ContactRow | RowError:
    raw = standard.get("phone", "")
    try:
        phone = normalise(raw, region=region)
    except InvalidPhone as exc:
        return RowError(line, str(exc), raw or None)
    zip_code = standard.get("zip", "")
    if len(zip_code) > ZIP_LENGTH:
        return RowError(line, f"zip longer than {ZIP_LENGTH} characters", zip_code)
    if state := standard.get("state", ""):
        # Its rules apply to the person: a state we cannot read is a bad row, never a guess
        # ("New York" cut to "NE" would be Nebraska's).
        code = state_code(state)
        if code is None:
            return RowError(line, "unknown state", state)
        standard["state"] = code
    return ContactRow(line, phone, {k: v for k, v in standard.items() if v}, custom, consent)


Columns = list[tuple[str, int]]


def _columns(header: list[str], mapping: Mapping[str, str]) -> tuple[Columns, Columns, Columns]:
    """(our field, its value's index) of the standard, the custom and the consent columns,
    each in csv.DictReader's order: a column named twice is read once, at its first place,
    with its last value."""
    last: dict[str, int] = {}
    for index, column in enumerate(header):
        last[column] = index
    standard: Columns = []
    custom: Columns = []
    consent: Columns = []
    for column, index in last.items():
        name = mapping.get(column, column.strip().lower().replace(" ", "_"))
        group = standard if name in STANDARD else consent if name in CONSENT else custom
        group.append((name, index))
    return standard, custom, consent


_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
_STATE_ZIP = re.compile(
    r"\b([A-Za-z]{2})\.?,?\s+(\d{5})(?:-\d{4})?\s*(?:,?\s*(?:USA?|United States))?\s*$"
)


def address_of(fields: Mapping[str, Any]) -> dict[str, str]:
    """The state and ZIP an OpenPhone contact's custom fields give (labels such as "State",
    "ZIP", "Postal code", or an "Address" ending "FL 33101"); only what reads as one."""
    found: dict[str, str] = {}
    for label, value in fields.items():
        texts = [str(v) for v in (value if isinstance(value, list) else [value]) if v]
        name = label.lower()
        for text in texts:
            text = text.strip()
            if ("zip" in name or "postal" in name) and _ZIP.match(text):
                found.setdefault("zip", text)
            elif "state" in name and (code := state_code(text)):
                found.setdefault("state", code)
            elif (
                "address" in name
                and (match := _STATE_ZIP.search(text))
                and (code := state_code(match.group(1)))
            ):
                found.setdefault("state", code)
                found.setdefault("zip", match.group(2))
    return found


def phone_among(fields: Mapping[str, Any], *, region: str) -> str | None:
    """The number an OpenPhone contact's fields give: the first value that reads as a phone
    number under a label naming a phone ("Phone", "Mobile phone", "phone 2"), in the fields'
    order; None when there is none."""
    for label, value in fields.items():
        if "phone" not in label.lower():
            continue
        for candidate in value if isinstance(value, list) else [value]:
            try:
                return normalise(str(candidate), region=region)
            except InvalidPhone:
                continue
    return None


def reply_sender(direction: str, sender: str, *, region: str) -> str | None:
    """Whose reply an incoming message is (E.164); None for an outgoing message or a sender
    that is no phone number (a short code, a name): nobody's member replied."""
    if direction != "incoming":
        return None
    try:
        return normalise(sender, region=region)
    except InvalidPhone:
        return None


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
