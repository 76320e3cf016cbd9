"""The headers of a record an operator command publishes again: the original's (event id, type,
correlation id: consumers dedupe and trace it as the original) plus `x-replayed-*` saying where
it came from, when and by which replay. Those of an earlier replay are replaced, not stacked.
The AsyncAPI document lists the same names (smsbus.contracts.asyncapi_parts.REPLAY_HEADERS).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

PREFIX: Final = "x-replayed-"
FROM: Final = "x-replayed-from"
AT: Final = "x-replayed-at"
BY: Final = "x-replayed-by"
TIMESTAMP: Final = "x-replayed-timestamp"

Headers = list[tuple[str, bytes]]


def replayed(
    original: Sequence[tuple[str, bytes]],
    *,
    source: str,
    at: datetime,
    by: str | None = None,
    timestamp_ms: int | None = None,
) -> Headers:
    """`source`: `topic/partition/offset` of the original; `by`: the replay's id."""
    kept = [(name, value) for name, value in original if not name.startswith(PREFIX)]
    added = [(FROM, source), (AT, at.isoformat())]
    if by is not None:
        added.append((BY, by))
    if timestamp_ms is not None:
        added.append((TIMESTAMP, str(timestamp_ms)))
    return kept + [(name, value.encode()) for name, value in added]


def header(headers: Sequence[tuple[str, bytes]], name: str) -> str | None:
    return next((value.decode(errors="replace") for k, value in headers if k == name), None)
