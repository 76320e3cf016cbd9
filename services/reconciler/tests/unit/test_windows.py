"""Window arithmetic: from the watermark minus the overlap (or the lookback) to now - grace."""

from datetime import timedelta

import pytest

from smsbus.reconciler.domain.windows import Window, next_window

from ..builders import at

HOUR = 3600.0
LOOKBACK = timedelta(hours=48)
OVERLAP = timedelta(hours=1)
GRACE = timedelta(minutes=10)

CASES = [
    ("first run looks back the lookback", None, 100 * HOUR, at(52 * HOUR), at(100 * HOUR - 600), LOOKBACK),
    ("next run starts at the last end minus the overlap", at(99 * HOUR), 100 * HOUR, at(98 * HOUR), at(100 * HOUR - 600), LOOKBACK),
    ("a long outage: the whole gap since the watermark", at(10 * HOUR), 100 * HOUR, at(9 * HOUR), at(100 * HOUR - 600), LOOKBACK),
    ("watermark ahead of now - grace: an empty window at the end", at(102 * HOUR), 100 * HOUR, at(100 * HOUR - 600), at(100 * HOUR - 600), LOOKBACK),
    ("lookback shorter than the grace: empty, never inverted", None, 100 * HOUR, at(100 * HOUR - 600), at(100 * HOUR - 600), timedelta(minutes=5)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "last_end", "now", "start", "end", "lookback"), CASES, ids=[c[0] for c in CASES]
)
def test_next_window(label, last_end, now, start, end, lookback) -> None:  # type: ignore[no-untyped-def]
    window = next_window(
        now=at(now), last_success_end=last_end, lookback=lookback, overlap=OVERLAP, grace=GRACE
    )
    assert window == Window(start=start, end=end), label
    assert window.start <= window.end
