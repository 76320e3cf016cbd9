"""Three or more variants (reference/compliance.md §7): every pair compared, the p-values
corrected with Holm-Bonferroni, and a winner only when it beats every other variant.

An overall chi-square says the variants differ somewhere, not which one is best: with A 10 %,
B 15.0 % and C 14.9 % it is highly significant, yet B does not beat C. Each pair is the
two-variant test (Pearson's chi-square on the 2x2 table with Yates' correction), so a pair's
p-value is the one a two-variant campaign of those arms would report.

The sample still needed for a pair is the per-arm n that detects its observed difference with
power 0.8 at alpha / m (Bonferroni: the level Holm holds the first comparison to), minus the
smaller of the two arms' delivered counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Protocol

from smsbus.campaigns.domain.intervals import Interval, cohens_h, difference_interval
from smsbus.campaigns.domain.power import required_sample, scipy_stats


class Counted(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def delivered(self) -> int: ...
    @property
    def responded(self) -> int: ...


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    rate_a: float
    rate_b: float
    p_value: float
    """Yates-corrected chi-square of the pair alone."""
    p_adjusted: float
    """Holm-Bonferroni over every pair."""
    significant: bool
    better: str | None
    """The arm with the higher rate when the difference is significant."""
    difference: float
    """rate_a - rate_b."""
    difference_interval: Interval | None
    """Its 95% interval (Newcombe); None while an arm has nothing delivered."""
    effect_size: float
    """Cohen's h of a against b (signed like the difference)."""
    required_per_variant: int | None
    """Per-arm n to detect the observed difference (None: the rates are equal)."""
    still_needed_per_variant: int | None
    """How many more delivered per arm that takes (0: enough already)."""


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given (monotone, capped at 1)."""
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def _rate(arm: Counted) -> float:
    return arm.responded / arm.delivered if arm.delivered else 0.0


def pair_p_value(a: Counted, b: Counted) -> float:
    table = [[a.responded, b.responded], [a.delivered - a.responded, b.delivered - b.responded]]
    if min(sum(row) for row in table) == 0 or min(a.delivered, b.delivered) == 0:
        return 1.0  # no variation: nothing to tell apart
    return float(scipy_stats().chi2_contingency(table, correction=True)[1])


def compare_all(arms: Sequence[Counted], *, alpha: float = 0.05) -> list[Comparison]:
    """Every pair of arms, in the arms' order (A-B, A-C, B-C...)."""
    pairs = list(combinations(arms, 2))
    raw = [pair_p_value(a, b) for a, b in pairs]
    adjusted = holm(raw)
    planning_alpha = alpha / max(len(pairs), 1)
    found = []
    for (a, b), p, p_adj in zip(pairs, raw, adjusted, strict=True):
        ra, rb = _rate(a), _rate(b)
        significant = p_adj < alpha
        required = required_sample(ra, rb, alpha=planning_alpha)
        needed = None if required is None else max(0, required - min(a.delivered, b.delivered))
        better = (a.name if ra > rb else b.name) if significant and ra != rb else None
        interval = difference_interval(a.responded, a.delivered, b.responded, b.delivered)
        found.append(Comparison(a.name, b.name, ra, rb, p, p_adj, significant, better, ra - rb,
                                interval, cohens_h(ra, rb), required, needed))  # fmt: skip
    return found


def winner(names: Sequence[str], comparisons: Sequence[Comparison]) -> str | None:
    """The variant that significantly beats every other one, if there is one."""
    for name in names:
        own = [c for c in comparisons if name in (c.a, c.b)]
        if own and all(c.better == name for c in own):
            return name
    return None


def deciding(names: Sequence[str], comparisons: Sequence[Comparison]) -> Comparison | None:
    """The comparison a winner still waits for: the best arm against its closest rival."""
    if not comparisons:
        return None
    best = max(names, key=lambda n: max(c.rate_a if c.a == n else c.rate_b
                                        for c in comparisons if n in (c.a, c.b)))  # fmt: skip
    rivals = [c for c in comparisons if best in (c.a, c.b)]
    return min(rivals, key=lambda c: abs(c.rate_a - c.rate_b))
