"""Query strings as OpenPhone reads them.

Arrays go as repeated plain keys (`participants=%2B1555…&participants=%2B1555…`): the form
OpenPhone's OpenAPI description implies (form style, exploded). The `participants[]=` spelling
some old code used is not sent. Every reserved character is percent-encoded; above all `+`
becomes `%2B`, since a bare `+` in a query string reads as a space and would turn an E.164
number into a different one.

Times go as ISO 8601 in UTC with milliseconds and `Z`, the way OpenPhone writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import quote

Params = Sequence[tuple[str, str]]


def encode_query(params: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in params)


def segment(value: str) -> str:
    """An id as one path segment: a `/` or `?` in it cannot change which endpoint is asked."""
    return quote(value, safe="")


def format_time(when: datetime) -> str:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("OpenPhone times must be timezone-aware")
    utc = when.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class QueryBuilder:
    """Collects the optional parameters of a list request, skipping the ones not given."""

    def __init__(self) -> None:
        self.params: list[tuple[str, str]] = []

    def add(self, key: str, value: str | int | bool | datetime | None) -> QueryBuilder:
        if value is None:
            return self
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, datetime):
            text = format_time(value)
        else:
            text = str(value)
        self.params.append((key, text))
        return self

    def add_all(self, key: str, values: Iterable[str] | None) -> QueryBuilder:
        for value in values or ():
            self.params.append((key, value))
        return self


def thread_query(
    phone_number_id: str,
    participants: Sequence[str],
    created_after: datetime | None,
    created_before: datetime | None,
    user_id: str | None,
) -> QueryBuilder:
    """The filters messages and calls share: one line, its counterpart(s), a time window."""
    return (
        QueryBuilder()
        .add("phoneNumberId", phone_number_id)
        .add_all("participants", participants)
        .add("createdAfter", created_after)
        .add("createdBefore", created_before)
        .add("userId", user_id)
    )
