import json
import logging

import pytest

from smsbus.runtime.logging import JsonFormatter, PhoneMaskingFilter, log_context, mask_phones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from +12566581234", "from +*******1234"),
        ("+447700900123 replied", "+********0123 replied"),
        ("plain 2566581234 ten", "plain ******1234 ten"),
        ("plain 12566581234 eleven", "plain *******1234 eleven"),
        ("two +15551230001,+15551230002", "two +*******0001,+*******0002"),
        (
            "GET /v1/messages?participants=%2B15551230001",
            "GET /v1/messages?participants=%2B*******0001",
        ),
        ("short 123456789 stays", "short 123456789 stays"),
        ("long 123456789012345678 stays", "long 123456789012345678 stays"),
        ("no digits at all", "no digits at all"),
        ("offset=42 partition=3", "offset=42 partition=3"),
    ],
)
def test_mask_phones(text: str, expected: str) -> None:
    assert mask_phones(text) == expected


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, None)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def test_filter_masks_rendered_arguments() -> None:
    record = _record("sent to %s", "+12566581234")
    assert PhoneMaskingFilter().filter(record)
    assert record.getMessage() == "sent to +*******1234"


def test_json_lines_carry_ids_and_mask_extras_and_traces() -> None:
    try:
        raise ValueError("bad number +12566581234")
    except ValueError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", (), None)
        import sys

        record.exc_info = sys.exc_info()
    record.phone = "+12566581234"
    with log_context(event_id="EV1", correlation_id="C1"):
        line = json.loads(JsonFormatter(service="svc").format(record))
    assert line["event_id"] == "EV1"
    assert line["correlation_id"] == "C1"
    assert line["service"] == "svc"
    assert line["phone"] == "+*******1234"
    assert "+12566581234" not in line["exception"]
    assert "1234" in line["exception"]


def test_ids_outside_a_context_are_absent() -> None:
    line = json.loads(JsonFormatter().format(_record("hello")))
    assert "event_id" not in line
    assert line["message"] == "hello"


def test_api_tokens_are_never_logged() -> None:
    token = "4f9c" + "x" * 40
    line = mask_phones(
        f"Authorization: Bearer {token} SMSBUS_API_TOKENS=ops:{token}:all,crm:{token}:consent+read"
    )
    assert token not in line
    assert "Bearer ***" in line
    assert "ops:***:all" in line
    assert "crm:***:consent+read" in line
