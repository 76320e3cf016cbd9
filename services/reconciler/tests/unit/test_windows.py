"""Window arithmetic: from the watermark minus the overlap (or the lookback) to now - grace."""

from datetime import timedelta

import pytest

from smsbus.reconciler.domain.windows import next_window

from ..builders import at

HOUR = 3600.0
LOOKBACK = timedelta(hours=48)
OVERLAP = timedelta(hours=1)
GRACE = timedelta(minutes=10)
MEMORY = timedelta(days=30)
DAY = 24 * HOUR

CASES = [
    ("first run looks back the lookback", None, 100 * HOUR, at(52 * HOUR), at(100 * HOUR - 600), LOOKBACK),
    ("next run starts at the last end minus the overlap", at(99 * HOUR), 100 * HOUR, at(98 * HOUR), at(100 * HOUR - 600), LOOKBACK),
    ("a long outage: the whole gap since the watermark", at(10 * HOUR), 100 * HOUR, at(9 * HOUR), at(100 * HOUR - 600), LOOKBACK),
    ("watermark ahead of now - grace: an empty window at the end", at(102 * HOUR), 100 * HOUR, at(100 * HOUR - 600), at(100 * HOUR - 600), LOOKBACK),
    ("lookback shorter than the grace: empty, never inverted", None, 100 * HOUR, at(100 * HOUR - 600), at(100 * HOUR - 600), timedelta(minutes=5)),
    ("an outage within the memory: still the whole gap", at(100 * DAY - 28 * DAY), 100 * DAY, at(72 * DAY - HOUR), at(100 * DAY - 600), LOOKBACK),
    ("an outage longer than the memory: cut a day inside it", at(50 * DAY), 100 * DAY, at(71 * DAY), at(100 * DAY - 600), LOOKBACK),
    ("a lookback longer than the memory: cut too", None, 100 * DAY, at(71 * DAY), at(100 * DAY - 600), timedelta(days=45)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "last_end", "now", "start", "end", "lookback"), CASES, ids=[c[0] for c in CASES]
)
def test_next_window(label, last_end, now, start, end, lookback) -> None:  # type: ignore[no-untyped-def]
    window = next_window(
        now=at(now), last_success_end=last_end, lookback=lookback, overlap=OVERLAP, grace=GRACE,
        memory=MEMORY,
    )  # fmt: skip
    assert (window.start, window.end) == (start, end), label
    assert window.start <= window.end
    wanted = at(now) - lookback if last_end is None else last_end - OVERLAP
    assert window.unjudged_since == (wanted if start > wanted else None), label
