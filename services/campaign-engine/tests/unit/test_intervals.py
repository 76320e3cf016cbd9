"""The interval of a difference of two rates against Newcombe (1998, Statistics in Medicine
17:873-890, table II, method 10), and Cohen's h against its definition."""

import math

import pytest

from smsbus.campaigns.domain.intervals import cohens_h, difference_interval

NEWCOMBE = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE)
def test_the_difference_interval_is_newcombes_method_10(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    interval = difference_interval(*counts)
    assert interval is not None
    assert (round(interval.low, 4), round(interval.high, 4)) == expected
    a, n, b, m = counts
    assert interval.low <= a / n - b / m <= interval.high


def test_no_interval_while_an_arm_has_nothing_delivered() -> None:
    assert difference_interval(0, 0, 5, 10) is None
    assert difference_interval(5, 10, 0, 0) is None


@pytest.mark.parametrize(
    ("p1", "p2", "h"),
    [(0.5, 0.25, math.pi / 6), (0.25, 0.5, -math.pi / 6), (0.3, 0.3, 0.0), (1.0, 0.0, math.pi)],
)
def test_cohens_h_is_signed_like_the_difference(p1: float, p2: float, h: float) -> None:
    assert cohens_h(p1, p2) == pytest.approx(h)
