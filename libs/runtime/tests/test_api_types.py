"""Text PostgreSQL cannot store is refused at the API's boundary (issue 13's fuzzing)."""

import re
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from smsbus.runtime.api_types import (
    UNSTORABLE,
    StorableBody,
    StoredDatetime,
    StoredInstant,
    StrictBody,
    storable,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain text, émoji 🙂", True, id="text"),
        pytest.param("a\x00b", False, id="NUL"),
        pytest.param("\ud800", False, id="lone surrogate"),
        pytest.param({"k": ["ok", {"deep": "\x00"}]}, False, id="NUL deep in lists and dicts"),
        pytest.param({"\x00": 1}, False, id="NUL in a key"),
        pytest.param(("a", "b"), True, id="tuple"),
        pytest.param({"n": 1, "f": 1.5, "b": True, "none": None}, True, id="no text at all"),
    ],
)
def test_storable(value: Any, expected: bool) -> None:
    assert storable(value) is expected


class Strict(StrictBody):
    name: str


class Provider(StorableBody):
    name: str


def test_a_strict_body_refuses_unstorable_text_and_unknown_fields() -> None:
    with pytest.raises(ValidationError, match=re.escape(UNSTORABLE)):
        Strict.model_validate({"name": "a\x00"})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Strict.model_validate({"name": "a", "other": 1})


def test_a_provider_body_refuses_unstorable_text_and_ignores_new_fields() -> None:
    with pytest.raises(ValidationError, match=re.escape(UNSTORABLE)):
        Provider.model_validate({"name": "ok", "labels": {"x": "\x00"}})
    assert Provider.model_validate({"name": "ok", "later": 1}).name == "ok"


@pytest.mark.parametrize("kind", [StoredInstant, StoredDatetime], ids=["instant", "datetime"])
@pytest.mark.parametrize("number", [-287, 0, 1_744_650_000, 1.5, True])
def test_a_time_given_as_a_number_is_refused(kind: Any, number: object) -> None:
    # pydantic alone reads it as Unix time; the schema (and fuzzing) say RFC 3339 text.
    with pytest.raises(ValidationError, match="RFC 3339 text, not a number"):
        TypeAdapter(kind).validate_python(number)
    assert TypeAdapter(kind).validate_python("2026-04-14T17:00:00+00:00").year == 2026
