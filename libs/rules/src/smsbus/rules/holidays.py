"""Holidays as data: each a rule that names its date in a year, and the calendars built from them.

The federal calendar is 5 U.S.C. § 6103(a); a holiday on a Saturday is observed the Friday
before, on a Sunday the Monday after (§ 6103(b), Executive Order 11582). States that ban
solicitations on their legal holidays name them in `states.py`; their statutes shift weekend
holidays the same way (e.g. Ala. Code § 1-3-8(a)). A ban covers both the holiday and its observed
day: which of the two a state's enforcer means is not always written, so both are kept free.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

MON, THU = 0, 3


@dataclass(frozen=True)
class Fixed:
    """The same date every year (shifted off a weekend when observed)."""

    month: int
    day: int

    def on(self, year: int) -> date:
        return date(year, self.month, self.day)


@dataclass(frozen=True)
class Nth:
    """The nth weekday of a month (n = -1: the last one)."""

    month: int
    weekday: int
    n: int

    def on(self, year: int) -> date:
        days = [
            d
            for d in calendar.Calendar().itermonthdates(year, self.month)
            if d.month == self.month and d.weekday() == self.weekday
        ]
        return days[self.n - 1] if self.n > 0 else days[self.n]


@dataclass(frozen=True)
class Easter:
    """Days from Western Easter Sunday (Mardi Gras -47, Good Friday -2)."""

    offset: int

    def on(self, year: int) -> date:
        # Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
        a, b, c = year % 19, year // 100, year % 100
        d, e = divmod(b, 4)
        g = (8 * b + 13) // 25
        h = (19 * a + b - d - g + 15) % 30
        i, k = divmod(c, 4)
        m = (32 + 2 * e + 2 * i - h - k) % 7
        n = (a + 11 * h + 22 * m) // 451
        month, day = divmod(h + m - 7 * n + 114, 31)
        return date(year, month, day + 1) + timedelta(days=self.offset)


Rule = Fixed | Nth | Easter

FEDERAL: dict[str, Rule] = {
    "new_year": Fixed(1, 1),
    "martin_luther_king": Nth(1, MON, 3),
    "washington": Nth(2, MON, 3),
    "memorial": Nth(5, MON, -1),
    "juneteenth": Fixed(6, 19),
    "independence": Fixed(7, 4),
    "labor": Nth(9, MON, 1),
    "columbus": Nth(10, MON, 2),
    "veterans": Fixed(11, 11),
    "thanksgiving": Nth(11, THU, 4),
    "christmas": Fixed(12, 25),
}
"""5 U.S.C. § 6103(a)."""

STATE_ONLY: dict[str, Rule] = {
    "battle_of_new_orleans": Fixed(1, 8),  # La. R.S. 1:55
    "robert_e_lee": Fixed(1, 19),  # La. R.S. 1:55
    "mardi_gras": Easter(-47),  # La. R.S. 1:55
    "good_friday": Easter(-2),  # La. R.S. 1:55
    "confederate_memorial_al": Nth(4, MON, 4),  # Ala. Code § 1-3-8(a)
    "jefferson_davis": Nth(6, MON, 1),  # Ala. Code § 1-3-8(a)
    "confederate_memorial_la": Fixed(6, 3),  # La. R.S. 1:55
    "pioneer_day": Fixed(7, 24),  # Utah Code § 63G-1-301
    "victory_day": Nth(8, MON, 2),  # R.I. Gen. Laws § 25-1-1
    "huey_p_long": Fixed(8, 30),  # La. R.S. 1:55
    "all_saints": Fixed(11, 1),  # La. R.S. 1:55
}

RULES: dict[str, Rule] = {**FEDERAL, **STATE_ONLY}


def observed(day: date) -> date:
    """The weekday a holiday falling on `day` is observed (5 U.S.C. § 6103(b))."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def observed_federal(year: int) -> dict[str, date]:
    """The federal holidays as observed, by name, for the holidays of `year` (New Year's Day
    on a Saturday is observed on December 31 of the year before)."""
    return {name: observed(rule.on(year)) for name, rule in FEDERAL.items()}


@lru_cache(maxsize=1024)
def banned_dates(names: frozenset[str], year: int) -> frozenset[date]:
    """Every date in `year` on which one of the named holidays falls or is observed (the
    holidays of the next year included: January 1 observed on December 31)."""
    found: set[date] = set()
    for name in names:
        for holiday_year in (year, year + 1):
            actual = RULES[name].on(holiday_year)
            found.update(d for d in (actual, observed(actual)) if d.year == year)
    return frozenset(found)


def is_holiday(day: date, names: Iterable[str]) -> bool:
    names = frozenset(names)
    return bool(names) and day in banned_dates(names, day.year)
