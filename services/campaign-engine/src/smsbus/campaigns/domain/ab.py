"""A/B assignment: a stable hash of (campaign, contact) into 10,000 buckets, split by weight.

The same contact always lands in the same variant of a campaign, whatever the order or the
replica that asks; across campaigns the assignment is independent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

BUCKETS = 10_000


def bucket(campaign_id: str, contact_id: str) -> int:
    digest = hashlib.sha256(f"{campaign_id}:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def assign(campaign_id: str, contact_id: str, weights: Sequence[tuple[str, float]]) -> str:
    """The variant name for this contact; `weights` are (name, weight > 0), in a fixed order."""
    if not weights:
        raise ValueError("a campaign needs at least one variant")
    total = sum(weight for _, weight in weights)
    if total <= 0 or any(weight <= 0 for _, weight in weights):
        raise ValueError("variant weights must be positive")
    point = bucket(campaign_id, contact_id) / BUCKETS * total
    edge = 0.0
    for name, weight in weights:
        edge += weight
        if point < edge:
            return name
    return weights[-1][0]
