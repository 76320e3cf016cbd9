"""Which stretch of OpenPhone's history a run looks at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

MARGIN: Final = timedelta(days=1)
"""How much younger than what is forgotten a window starts: a webhook's time and REST's for one
fact may differ a little, and pruning goes on while a run reads."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    """Also the cutoff: facts after it are not judged in this run."""
    unjudged_since: datetime | None = None
    """Set when the window was cut at the memory: history from here to `start` is never judged."""


def remembered_since(*, now: datetime, memory: timedelta) -> datetime:
    """The oldest a fact may be to be judged: a seen fact is forgotten after `memory`, and a
    forgotten one would look missing (MARGIN keeps clear of the pruning's edge)."""
    return now - memory + MARGIN


def next_window(
    *,
    now: datetime,
    last_success_end: datetime | None,
    lookback: timedelta,
    overlap: timedelta,
    grace: timedelta,
    memory: timedelta,
) -> Window:
    """From the previous successful run's end minus `overlap` (the first run: `now - lookback`)
    to `now - grace`. A failed or deferred run moves nothing, so the next one covers its window,
    but never further back than `memory` (less the margin): what is seen is forgotten after it,
    and a forgotten fact would look missing. Never inverted: a start past the end gives an
    empty window at the end."""
    end = now - grace
    wanted = now - lookback if last_success_end is None else last_success_end - overlap
    earliest = remembered_since(now=now, memory=memory)
    start = max(wanted, earliest)
    return Window(
        start=min(start, end), end=end, unjudged_since=wanted if wanted < earliest else None
    )
