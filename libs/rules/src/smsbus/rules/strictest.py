"""The law for a set of states: the strictest of the federal rule and each state's row
(`states.py`): the intersection of their hours, day by day, the union of their banned weekdays
and holidays, the lowest frequency cap. Cached per set of states: the dispatcher asks once per
member, the answer is the same for every member of the same states."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from smsbus.rules.states import BY_STATE, FEDERAL, Cap, Hours, StateRule


@dataclass(frozen=True)
class Law:
    days: tuple[Hours | None, ...]
    """Weekday (0 = Monday) → the hours texts may be sent, None when none may be."""
    holidays: frozenset[str]
    cap: Cap | None
    citations: tuple[str, ...]


def _hours(rule: StateRule, weekday: int) -> Hours | None:
    if weekday in rule.banned_days:
        return None
    return rule.day_hours.get(weekday, rule.hours)


def _narrower(a: Hours | None, b: Hours | None) -> Hours | None:
    if a is None or b is None:
        return None
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start < end else None


def _lower(a: Cap | None, b: Cap | None) -> Cap | None:
    if a is None or b is None:
        return a or b
    return a if (a.count, -a.within) <= (b.count, -b.within) else b


@lru_cache(maxsize=4096)
def _law(states: frozenset[str]) -> Law:
    rules = [FEDERAL, *(BY_STATE[s] for s in sorted(states) if s in BY_STATE)]
    days: list[Hours | None] = [_hours(FEDERAL, day) for day in range(7)]
    holidays: frozenset[str] = frozenset()
    cap: Cap | None = None
    for rule in rules[1:]:
        days = [_narrower(days[day], _hours(rule, day)) for day in range(7)]
        holidays |= rule.holidays
        cap = _lower(cap, rule.cap)
    return Law(tuple(days), holidays, cap, tuple(rule.citation for rule in rules))


def law_for(states: Iterable[str]) -> Law:
    return _law(frozenset(states))
