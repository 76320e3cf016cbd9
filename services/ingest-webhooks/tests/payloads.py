"""Editing a webhook payload at a path (keys of objects, indexes of arrays): the parsing tests
and the fuzzer both take OpenPhone's samples and change one field of them."""

from collections.abc import Sequence
from typing import Any

DELETE = object()
"""Put as a value: the field is removed."""


def at(payload: Any, path: Sequence[Any]) -> Any:
    for step in path:
        payload = payload[step]
    return payload


def put(payload: Any, path: Sequence[Any], value: Any) -> None:
    """Set the value at `path` in place (DELETE: remove it)."""
    *parents, last = path
    target = at(payload, parents)
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
