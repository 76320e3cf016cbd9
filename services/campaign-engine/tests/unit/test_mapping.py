"""The `mapping` form field of a contacts upload: a JSON object of column → field, whose names
PostgreSQL can store (CI's fuzzing found a "\\u0000" key answered 500)."""

import pytest
from fastapi import HTTPException

from smsbus.campaigns.api.imports import parse_mapping


def test_a_mapping_of_columns_to_fields_is_read() -> None:
    assert parse_mapping('{"Mobile": "phone", "Name": "first_name"}') == {
        "Mobile": "phone",
        "Name": "first_name",
    }
    assert parse_mapping(None) == {}
    assert parse_mapping("") == {}


@pytest.mark.parametrize(
    "mapping",
    [
        "not json",
        "[1, 2]",
        '"phone"',
        '{"Mobile": 1}',
        '{"Mobile": {"nested": "phone"}}',
        '{"Mobile": null}',
        '{"Mo\\u0000bile": "phone"}',
        '{"Mobile": "ph\\u0000one"}',
        '{"Mobile": "\\ud800"}',
    ],
)
def test_anything_else_is_refused_with_422(mapping: str) -> None:
    with pytest.raises(HTTPException) as refused:
        parse_mapping(mapping)
    assert refused.value.status_code == 422
