"""Which stretch of OpenPhone's history a run looks at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    """Also the cutoff: facts after it are not judged in this run."""


def next_window(
    *,
    now: datetime,
    last_success_end: datetime | None,
    lookback: timedelta,
    overlap: timedelta,
    grace: timedelta,
) -> Window:
    """From the previous successful run's end minus `overlap` (the first run: `now - lookback`)
    to `now - grace`. A failed or deferred run moves nothing, so the next one covers its window.
    Never inverted: a start past the end gives an empty window at the end."""
    end = now - grace
    start = now - lookback if last_success_end is None else last_success_end - overlap
    return Window(start=min(start, end), end=end)
