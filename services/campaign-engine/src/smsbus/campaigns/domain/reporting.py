"""Counts of members turned into the rates every report shows, and a template's performance
summed over the campaign variants made from it. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from smsbus.campaigns.domain import stats

COUNTED = ("members", "sent", "delivered", "failed", "responded", "opted_out")
"""What a template's performance sums (a campaign's statistics count more)."""


def with_rates(counts: Mapping[str, Any]) -> dict[str, Any]:
    """The counts, with responded and opted-out rates over delivered (each with its Wilson 95%
    interval), and delivery and failure rates over sent."""
    delivered = counts["delivered"]
    out = dict(counts)
    for name in ("responded", "opted_out"):
        interval = stats.wilson(counts[name], delivered)
        out[f"{name}_rate"] = stats.rate(counts[name], delivered)
        out[f"{name}_ci95"] = [interval.low, interval.high] if interval else None
    out["delivery_rate"] = stats.rate(delivered, counts["sent"])
    out["failure_rate"] = stats.rate(counts["failed"], counts["sent"])
    return out


def template_performance(uses: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One template's uses (a campaign variant each: campaign_id, campaign_name, variant,
    version and the COUNTED numbers) summed in total and per version, each with its rates."""
    listed = [dict(use) for use in uses]
    by_version: dict[int, list[Mapping[str, Any]]] = {}
    for use in listed:
        by_version.setdefault(int(use["version"]), []).append(use)
    return {
        "campaigns": len({use["campaign_id"] for use in listed}),
        "total": with_rates(_summed(listed)),
        "by_version": {str(v): with_rates(_summed(us)) for v, us in sorted(by_version.items())},
        "uses": [with_rates(use) for use in listed],
    }


def _summed(uses: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    totals = dict.fromkeys(COUNTED, 0)
    for use in uses:
        for name in COUNTED:
            totals[name] += int(use[name])
    return totals
