"""The sample a difference needs, and scipy.stats on first use."""

from __future__ import annotations

import math
from typing import Any

from smsbus.campaigns.domain.intervals import cohens_h


def scipy_stats() -> Any:
    # Imported on first use: scipy.stats is ~110 MiB resident, and only the statistics
    # endpoints need it (a dispatching or importing engine never does).
    from scipy import stats

    return stats


def required_sample(p1: float, p2: float, *, alpha: float = 0.05, power: float = 0.8) -> int | None:
    """Per-arm n to detect p1 vs p2 (Cohen's h, two-sided); None when the rates are equal."""
    h = abs(cohens_h(p1, p2))
    if h == 0:
        return None
    sp = scipy_stats()
    z_alpha = float(sp.norm.ppf(1 - alpha / 2))
    z_power = float(sp.norm.ppf(power))
    # Two independent arms of n each: var(h) = 1/n + 1/n.
    return math.ceil(2 * ((z_alpha + z_power) / h) ** 2)
