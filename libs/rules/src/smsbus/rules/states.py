"""Solicitation rules by state as data: one row per state whose rules are stricter than the
federal default, each citing its law (reference/compliance.md §4). Engineering research, not
legal advice: re-check a row against its statute before relying on it.

A row is the recipient's local time: the hours texts may be sent (every day, or per weekday
where the law differs by day), weekdays on which none may be, legal holidays on which none may
be (names in `holidays.RULES`), and a frequency cap (at most `count` texts in `within` on the
same subject; the engine counts every marketing text, the strict reading of "subject").

Where sources disagree the stricter reading is kept and the row says so (`note`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta

from smsbus.rules.holidays import FEDERAL as FEDERAL_HOLIDAYS

SUN = 6
Hours = tuple[time, time]


@dataclass(frozen=True)
class Cap:
    count: int
    within: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class StateRule:
    state: str
    hours: Hours
    """[start, end) local, on every day not listed in `day_hours` or `banned_days`."""
    citation: str
    day_hours: Mapping[int, Hours] = field(default_factory=dict)
    """Weekday (0 = Monday) → its own hours."""
    banned_days: frozenset[int] = frozenset()
    holidays: frozenset[str] = frozenset()
    cap: Cap | None = None
    note: str = ""


def _h(start: int, end: int) -> Hours:
    return time(start), time(end)


FEDERAL = StateRule(
    "US",
    _h(8, 21),
    "47 C.F.R. § 64.1200(c)(1) (TCPA: no telephone solicitation before 8 am or after 9 pm at "
    "the called party's location)",
)

_FEDERAL_DAYS = frozenset(FEDERAL_HOLIDAYS)
_THREE_A_DAY = Cap(3)

RULES: tuple[StateRule, ...] = (
    StateRule(
        "AL", _h(8, 20), "Ala. Admin. Code r. 770-X-5-.17(1)(b); holidays Ala. Code § 1-3-8(a)",
        banned_days=frozenset({SUN}),
        holidays=frozenset({
            "new_year", "martin_luther_king", "washington", "confederate_memorial_al", "memorial",
            "jefferson_davis", "independence", "labor", "columbus", "veterans", "thanksgiving",
            "christmas",
        }),
    ),
    StateRule(
        "CT", _h(9, 20), "Conn. Gen. Stat. § 42-288a(c) (as amended by P.A. 23-98)",
        note="some sources give 8 am; the stricter 9 am is applied",
    ),
    StateRule(
        "FL", _h(8, 20), "Fla. Stat. § 501.616(6)(a) (hours), § 501.616(6)(b) (3 per 24 h, FTSA)",
        cap=_THREE_A_DAY,
    ),
    StateRule("KY", _h(10, 21), "Ky. Rev. Stat. § 367.46955(15)"),
    StateRule(
        "LA", _h(8, 20), "La. R.S. 45:811(2)-(3) (Monday-Saturday 8 am-8 pm; no Sundays or "
        "state holidays); holidays La. R.S. 1:55",
        banned_days=frozenset({SUN}),
        holidays=frozenset({
            "new_year", "battle_of_new_orleans", "martin_luther_king", "robert_e_lee",
            "washington", "mardi_gras", "good_friday", "memorial", "confederate_memorial_la",
            "independence", "huey_p_long", "labor", "columbus", "all_saints", "veterans",
            "thanksgiving", "christmas",
        }),
        note="days the governor declares (and La. R.S. 45:844.31's states of emergency) are "
        "not in the calendar: add them as data when declared",
    ),
    StateRule("MA", _h(8, 20), "201 CMR 12.02(2); Mass. Gen. Laws ch. 159C"),
    StateRule(
        "MD", _h(8, 20), "Md. Code Ann., Com. Law § 14-4503 (Stop the Spam Calls Act of 2023: "
        "8 am-8 pm, 3 per 24 h on the same subject)",
        cap=_THREE_A_DAY,
    ),
    StateRule("MI", _h(9, 21), "Mich. Comp. Laws § 445.111b"),
    StateRule("MN", _h(9, 21), "Minn. Stat. § 325E.27"),
    StateRule(
        "MS", _h(8, 20), "Miss. Code Ann. § 77-3-723(1) (8 am-8 pm; no Sunday solicitations)",
        banned_days=frozenset({SUN}),
        note="the holiday ban of 39 Miss. Admin. Code Pt. 1, R. 1:28 was repealed in 2024",
    ),
    StateRule("NM", _h(9, 21), "N.M. Stat. Ann. § 57-12-22"),
    StateRule(
        "NV", _h(9, 20), "Nev. Rev. Stat. § 597.814(2)(a) (not before 9 am)",
        note="the statute's automated-call rule ends at 9 pm; compliance.md's source gives 8 pm, "
        "the stricter end is applied",
    ),
    StateRule(
        "OK", _h(8, 20), "Okla. Stat. tit. 15, § 775C.4 (Oklahoma Telephone Solicitation Act "
        "of 2022: 8 am-8 pm, 3 per 24 h on the same subject)",
        cap=_THREE_A_DAY,
    ),
    StateRule(
        "RI", _h(9, 18), "R.I. Gen. Laws § 5-61-3.6 with § 5-61-2 'hours of operation' "
        "(Monday-Friday 9 am-6 pm, Saturday 10 am-5 pm, except state or federal holidays); "
        "state holidays R.I. Gen. Laws § 25-1-1",
        day_hours={5: _h(10, 17)},
        banned_days=frozenset({SUN}),
        holidays=_FEDERAL_DAYS | {"victory_day"},
    ),
    StateRule(
        "TX", _h(9, 21), "Tex. Bus. & Com. Code § 301.051 (9 am-9 pm; Sunday noon-9 pm)",
        day_hours={SUN: _h(12, 21)},
    ),
    StateRule(
        "UT", _h(8, 21), "Utah Code § 13-25a-103(3) (without prior express consent: not 9 pm-"
        "8 am, Sundays or legal holidays); holidays Utah Code § 63G-1-301",
        banned_days=frozenset({SUN}),
        holidays=frozenset({
            "new_year", "martin_luther_king", "washington", "memorial", "juneteenth",
            "independence", "pioneer_day", "labor", "columbus", "veterans", "thanksgiving",
            "christmas",
        }),
    ),
    StateRule(
        "WA", _h(8, 20), "Rev. Code Wash. § 80.36.390(2); § 19.158.110 (commercial telephone "
        "solicitors)",
    ),
)  # fmt: skip

BY_STATE: dict[str, StateRule] = {rule.state: rule for rule in RULES}
