"""Campaign statistics that do not lie (reference/compliance.md §7).

- Rates are over delivered messages; each has a Wilson 95% score interval (not Wald's).
- A/B significance: Pearson's chi-square on the 2xk table of responded / not responded among
  delivered, **with Yates' continuity correction for 2x2** (scipy's default for dof = 1),
  stated in every result; below `min_sample` delivered per variant: insufficient_data.
- The sample size per arm needed to detect the observed difference (Cohen's h, alpha = 0.05
  two-sided, power 0.8).
- Sample-ratio mismatch: chi-square goodness of fit of the arm sizes to the configured split.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Z95 = 1.959963984540054
CORRECTION = "yates"
SRM_ALPHA = 0.001


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def _scipy_stats() -> Any:
    # Imported on first use: scipy.stats is ~110 MiB resident, and only the statistics
    # endpoints need it (a dispatching or importing engine never does).
    from scipy import stats

    return stats


def wilson(successes: int, trials: int, z: float = Z95) -> Interval | None:
    if trials <= 0:
        return None
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


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
    status: Literal["insufficient_data", "no_difference", "significant"]
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


def required_sample(p1: float, p2: float, *, alpha: float = 0.05, power: float = 0.8) -> int | None:
    """Per-arm n to detect p1 vs p2 (Cohen's h); None when the rates are equal."""
    h = abs(2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2)))
    if h == 0:
        return None
    sp = _scipy_stats()
    z_alpha = float(sp.norm.ppf(1 - alpha / 2))
    z_power = float(sp.norm.ppf(power))
    # Two independent arms of n each: var(h) = 1/n + 1/n.
    return math.ceil(2 * ((z_alpha + z_power) / h) ** 2)


def sample_ratio(arms: Sequence[Arm]) -> float | None:
    """p-value of the arm sizes against the configured weights (None with < 2 arms or no data)."""
    total = sum(arm.members for arm in arms)
    weights = sum(arm.weight for arm in arms)
    if len(arms) < 2 or total == 0:
        return None
    expected = [total * arm.weight / weights for arm in arms]
    return float(_scipy_stats().chisquare([arm.members for arm in arms], expected).pvalue)


def analyse(arms: Sequence[Arm], *, min_sample: int = 100, alpha: float = 0.05) -> AbResult:
    srm = sample_ratio(arms)
    mismatch = srm is not None and srm < SRM_ALPHA
    rates = [arm.responded / arm.delivered if arm.delivered else 0.0 for arm in arms]
    required = required_sample(max(rates), min(rates)) if len(arms) >= 2 else None
    short = [arm.name for arm in arms if arm.delivered < min_sample]
    if len(arms) < 2 or short:
        return AbResult(
            "insufficient_data",
            f"minimum sample is {min_sample} delivered per variant; short: {', '.join(short)}"
            if short
            else "an A/B test needs two variants",
            CORRECTION, None, None, None, None, required, srm, mismatch,
        )  # fmt: skip
    table = [[arm.responded for arm in arms], [arm.delivered - arm.responded for arm in arms]]
    if min(sum(row) for row in table) == 0:
        return AbResult(
            "no_difference", "no variation in responses", CORRECTION, 0.0, 1.0, None, None,
            required, srm, mismatch,
        )  # fmt: skip
    chi2, p_value, _, _ = _scipy_stats().chi2_contingency(table, correction=True)
    best = max(range(len(arms)), key=lambda i: rates[i])
    if p_value < alpha:
        return AbResult(
            "significant",
            f"{arms[best].name} responds more (p={p_value:.4f})",
            CORRECTION, float(chi2), float(p_value), arms[best].name,
            round((1 - float(p_value)) * 100, 2), required, srm, mismatch,
        )  # fmt: skip
    return AbResult(
        "no_difference",
        f"no significant difference at {1 - alpha:.0%} (p={p_value:.4f})",
        CORRECTION, float(chi2), float(p_value), None, None, required, srm, mismatch,
    )  # fmt: skip
