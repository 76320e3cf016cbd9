"""How sure a rate is, how sure a difference of two rates is, and how large it is.

- Wilson's 95% score interval of a rate (never Wald's: it holds near 0 and 1 and for small n).
- Newcombe's hybrid score interval (his method 10) of the difference of two independent rates,
  built from each rate's Wilson interval: what "B responds more than A" is worth in points.
- Cohen's h, the effect size of two rates (2·asin√p1 - 2·asin√p2): about 0.2 small, 0.5
  medium, 0.8 large, whatever the rates' level.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

Z95: Final = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson(successes: int, trials: int, z: float = Z95) -> Interval | None:
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def difference_interval(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int
) -> Interval | None:
    """95% interval of rate a - rate b (Newcombe, hybrid score); None without trials."""
    a, b = wilson(successes_a, trials_a), wilson(successes_b, trials_b)
    if a is None or b is None:
        return None
    pa, pb = successes_a / trials_a, successes_b / trials_b
    difference = pa - pb
    below = math.sqrt((pa - a.low) ** 2 + (b.high - pb) ** 2)
    above = math.sqrt((a.high - pa) ** 2 + (pb - b.low) ** 2)
    return Interval(difference - below, difference + above)


def cohens_h(p1: float, p2: float) -> float:
    """The effect size of rate p1 against p2 (signed: positive when p1 is higher)."""
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
