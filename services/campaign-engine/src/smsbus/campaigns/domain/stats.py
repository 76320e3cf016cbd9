"""Campaign statistics that do not lie (reference/compliance.md §7).

- Rates are over delivered messages; each has a Wilson 95% score interval (not Wald's), and
  every pair of variants the interval of its difference and its effect size (intervals.py).
- A/B significance: Pearson's chi-square on the 2xk table of responded / not responded among
  delivered, **with Yates' continuity correction for 2x2** (scipy's default for dof = 1),
  stated in every result; below `min_sample` delivered per variant: insufficient_data.
- Three or more variants: the overall test only says they differ; every pair is then tested
  (`pairwise.py`, Holm-Bonferroni) and a winner is named only when it beats every other one.
- The sample size per arm needed to detect the observed difference (Cohen's h, alpha = 0.05
  two-sided, power 0.8; alpha / pairs with three or more variants), and how many more that is.
- Sample-ratio mismatch: chi-square goodness of fit of the arm sizes to the configured split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from smsbus.campaigns.domain.intervals import wilson as wilson
from smsbus.campaigns.domain.pairwise import Comparison, compare_all, deciding, winner
from smsbus.campaigns.domain.power import required_sample as required_sample
from smsbus.campaigns.domain.power import scipy_stats

CORRECTION = "yates"
PAIRWISE = "yates per pair, holm-bonferroni across pairs"
SRM_ALPHA = 0.001


def rate(successes: int, trials: int) -> float | None:
    return successes / trials if trials > 0 else None


@dataclass(frozen=True)
class Arm:
    name: str
    weight: float
    members: int
    delivered: int
    responded: int


@dataclass(frozen=True)
class AbResult:
    status: Literal["insufficient_data", "no_difference", "no_winner", "significant"]
    """no_winner: some variants differ, but none beats every other one."""
    message: str
    correction: str
    chi2: float | None
    p_value: float | None
    winner: str | None
    confidence: float | None
    """(1 - p) x 100 when significant."""
    required_per_variant: int | None
    srm_p_value: float | None
    sample_ratio_mismatch: bool
    comparisons: tuple[Comparison, ...] = ()
    """Every pair: its own and its Holm-adjusted p-value, whether it is significant, and the
    sample still needed to tell it apart."""
    still_needed_per_variant: int | None = None
    """More delivered per arm before the deciding comparison (the best arm against its closest
    rival) could be significant at the observed difference; 0 when there are enough."""


def sample_ratio(arms: Sequence[Arm]) -> float | None:
    """p-value of the arm sizes against the configured weights (None with < 2 arms or no data)."""
    total = sum(arm.members for arm in arms)
    weights = sum(arm.weight for arm in arms)
    if len(arms) < 2 or total == 0:
        return None
    expected = [total * arm.weight / weights for arm in arms]
    return float(scipy_stats().chisquare([arm.members for arm in arms], expected).pvalue)


def analyse(arms: Sequence[Arm], *, min_sample: int = 100, alpha: float = 0.05) -> AbResult:
    srm = sample_ratio(arms)
    mismatch = srm is not None and srm < SRM_ALPHA
    rates = [arm.responded / arm.delivered if arm.delivered else 0.0 for arm in arms]
    comparisons = tuple(compare_all(arms, alpha=alpha))
    names = [arm.name for arm in arms]
    closest = deciding(names, comparisons)
    if len(arms) > 2:
        required = closest.required_per_variant if closest else None
    else:
        required = required_sample(max(rates), min(rates)) if len(arms) == 2 else None
    correction = CORRECTION if len(arms) <= 2 else PAIRWISE
    extra = (comparisons, closest.still_needed_per_variant if closest else None)
    short = [arm.name for arm in arms if arm.delivered < min_sample]
    if len(arms) < 2 or short:
        return AbResult(
            "insufficient_data",
            f"minimum sample is {min_sample} delivered per variant; short: {', '.join(short)}"
            if short
            else "an A/B test needs two variants",
            correction, None, None, None, None, required, srm, mismatch, *extra,
        )  # fmt: skip
    table = [[arm.responded for arm in arms], [arm.delivered - arm.responded for arm in arms]]
    if min(sum(row) for row in table) == 0:
        return AbResult(
            "no_difference", "no variation in responses", correction, 0.0, 1.0, None, None,
            required, srm, mismatch, *extra,
        )  # fmt: skip
    chi2, p_value, _, _ = scipy_stats().chi2_contingency(table, correction=True)
    chi2, p_value = float(chi2), float(p_value)
    if len(arms) > 2:
        return _many(arms, comparisons, chi2, p_value, alpha, required, srm, mismatch, extra)
    best = max(range(len(arms)), key=lambda i: rates[i])
    if p_value < alpha:
        return AbResult(
            "significant",
            f"{arms[best].name} responds more (p={p_value:.4f})",
            correction, chi2, p_value, arms[best].name,
            round((1 - p_value) * 100, 2), required, srm, mismatch, *extra,
        )  # fmt: skip
    return AbResult(
        "no_difference",
        f"no significant difference at {1 - alpha:.0%} (p={p_value:.4f})",
        correction, chi2, p_value, None, None, required, srm, mismatch, *extra,
    )  # fmt: skip


def _many(
    arms: Sequence[Arm],
    comparisons: tuple[Comparison, ...],
    chi2: float,
    p_value: float,
    alpha: float,
    required: int | None,
    srm: float | None,
    mismatch: bool,
    extra: tuple[tuple[Comparison, ...], int | None],
) -> AbResult:
    """Three or more arms: the overall chi-square, then the winner by the pairwise tests."""
    best = winner([arm.name for arm in arms], comparisons)
    if best is not None:
        worst = max(c.p_adjusted for c in comparisons if best in (c.a, c.b))
        return AbResult(
            "significant",
            f"{best} beats every other variant (Holm-adjusted p <= {worst:.4f})",
            PAIRWISE, chi2, p_value, best, round((1 - worst) * 100, 2), required, srm, mismatch,
            *extra,
        )  # fmt: skip
    found = [f"{c.better} > {c.a if c.better == c.b else c.b}" for c in comparisons if c.better]
    if found:
        ties = [f"{c.a} vs {c.b} (p={c.p_adjusted:.4f})" for c in comparisons if not c.significant]
        message = f"{', '.join(found)}; no variant beats every other: {', '.join(ties)}"
        status: Literal["no_winner", "no_difference"] = "no_winner"
    else:
        message = f"no pair differs significantly at {1 - alpha:.0%} (overall p={p_value:.4f})"
        status = "no_difference"
    return AbResult(
        status, message, PAIRWISE, chi2, p_value, None, None, required, srm, mismatch, *extra,
    )  # fmt: skip
