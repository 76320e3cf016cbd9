"""Contract models to OpenPhone's JSON: camelCase keys, timestamps as `…T12:00:00.000Z`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from smsbus.openphone_sim.clock import iso


def wire(model: BaseModel) -> dict[str, Any]:
    dumped = model.model_dump(by_alias=True, mode="python")
    result = _timestamps(dumped)
    assert isinstance(result, dict)
    return result


def pick(model: BaseModel, keys: Iterable[str]) -> dict[str, Any]:
    """Only these keys, in this order (the documented sample's), present or null."""
    full = wire(model)
    return {key: full.get(key) for key in keys}


def _timestamps(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {key: _timestamps(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_timestamps(item) for item in value]
    return value
