"""Builders of REST objects for the unit tests (canonical contract models, fixed times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from smsbus.contracts import Call, Message

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
LINE = "+15555550100"
PERSON = "+14155552671"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def a_message(
    direction: str = "incoming", status: str = "received", *, id: str = "ACm1", **fields: Any
) -> Message:
    incoming = direction == "incoming"
    values: dict[str, Any] = {
        "id": id,
        "from": PERSON if incoming else LINE,
        "to": [LINE] if incoming else [PERSON],
        "direction": direction,
        "text": "hello",
        "status": status,
        "createdAt": at(0),
        "updatedAt": at(5),
        "phoneNumberId": "PNline1",
    }
    return Message.model_validate(values | fields)


def a_call(status: str = "completed", *, id: str = "ACc1", **fields: Any) -> Call:
    values: dict[str, Any] = {
        "id": id,
        "direction": "incoming",
        "status": status,
        "participants": [PERSON],
        "createdAt": at(0),
        "updatedAt": at(70),
        "phoneNumberId": "PNline1",
    }
    return Call.model_validate(values | fields)
