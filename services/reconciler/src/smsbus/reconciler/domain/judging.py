"""Which expected facts are missing: not seen on the topics, and old enough to judge."""

from __future__ import annotations

from collections.abc import Iterable, Set
from datetime import datetime

from smsbus.reconciler.domain.facts import Fact


def missing_facts(
    facts: Iterable[Fact], *, seen: Set[str], since: datetime, cutoff: datetime
) -> list[Fact]:
    """Facts that happened from `since` to `cutoff` and whose dedupe key is not in `seen`, each
    once, oldest first. A younger fact is left for a later run: its webhook may be in flight;
    an older one is never judged: what was seen of its time is forgotten (windows.py)."""
    chosen: dict[str, Fact] = {}
    for fact in facts:
        if since <= fact.occurred_at <= cutoff and fact.dedupe_key not in seen:
            chosen.setdefault(fact.dedupe_key, fact)
    return sorted(chosen.values(), key=lambda fact: (fact.occurred_at, fact.dedupe_key))


def count_by_type(facts: Iterable[Fact]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for fact in facts:
        counts[fact.event_type] = counts.get(fact.event_type, 0) + 1
    return dict(sorted(counts.items()))
