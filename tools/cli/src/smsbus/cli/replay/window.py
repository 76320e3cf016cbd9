"""The window of a replay: `--since`/`--until` as times, then as offsets per partition.

Pure. The broker answers offsets-for-times (the first offset whose timestamp is at or after a
time, or none); this module turns its answers into the span `[start, end)` of each partition:
from the first record at or after `--since` (the beginning without it) up to, not including, the
first record at or after `--until` (the end of the partition when the replay started without
it). A partition is a `(topic, partition)` pair (aiokafka's TopicPartition is one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

Part = tuple[str, int]


class WindowError(ValueError):
    """A window that cannot be: a naive time, an end before its start."""


def parse_time(text: str) -> datetime:
    """ISO 8601 with a UTC offset (`2026-11-29T06:00Z`, `…+01:00`)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise WindowError(f"{text!r} is not an ISO 8601 time (e.g. 2026-11-29T06:00Z)") from None
    if moment.tzinfo is None:
        raise WindowError(f"{text!r} has no UTC offset (add Z or +00:00)")
    return moment


def check_window(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise WindowError(f"--until ({until.isoformat()}) is not after --since")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    """Exclusive."""

    @property
    def size(self) -> int:
        return max(self.end - self.start, 0)


def spans(
    *,
    beginnings: Mapping[Part, int],
    ends: Mapping[Part, int],
    at_since: Mapping[Part, int | None] | None,
    at_until: Mapping[Part, int | None] | None,
) -> dict[Part, Span]:
    """`at_since`/`at_until`: the broker's offset for each time (None: no record that late);
    None for the whole mapping: no such bound was given."""
    found = {}
    for part, beginning in beginnings.items():
        end = ends[part]
        start = beginning if at_since is None else _or(at_since.get(part), end)
        stop = end if at_until is None else _or(at_until.get(part), end)
        start = min(max(start, beginning), end)
        found[part] = Span(start, max(min(stop, end), start))
    return found


def _or(offset: int | None, default: int) -> int:
    return default if offset is None else offset
