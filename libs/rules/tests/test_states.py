"""Every state row, as a table: in the state's own zone, inside its hours a text may go, a minute
outside it is held, a banned weekday and each of its holidays are held; its cap is the one
applied. Generated over the rows, so a row added is a row tested."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from smsbus.rules.holidays import RULES as HOLIDAYS
from smsbus.rules.places import STATE_ZONES
from smsbus.rules.quiet_hours import Locality, SendWindow, frequency_cap, is_open
from smsbus.rules.states import FEDERAL, RULES, StateRule

ANY_DAY = SendWindow(frozenset(range(7)), time(0), time(23, 59))
WEEK = [date(2026, 3, 9) + timedelta(days=i) for i in range(7)]  # Monday..Sunday, no holiday
ROWS = {rule.state: rule for rule in RULES}


def _open(rule: StateRule, day: date, at: time) -> bool:
    zone = STATE_ZONES[rule.state][0]
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return is_open(local, Locality((zone,), (rule.state,)), ANY_DAY)


def _minus_minute(at: time) -> time:
    return (datetime.combine(date(2026, 1, 1), at) - timedelta(minutes=1)).time()


@pytest.mark.parametrize("state", sorted(ROWS))
def test_hours_by_weekday(state: str) -> None:
    rule = ROWS[state]
    for day in WEEK:
        if day.weekday() in rule.banned_days:
            assert not _open(rule, day, time(12)), f"{state} {day:%A} is banned"
            continue
        start, end = rule.day_hours.get(day.weekday(), rule.hours)
        assert _open(rule, day, start), f"{state} {day:%A} opens at {start}"
        assert _open(rule, day, _minus_minute(end)), f"{state} {day:%A} open until {end}"
        assert not _open(rule, day, _minus_minute(start)), f"{state} {day:%A} before {start}"
        assert not _open(rule, day, end), f"{state} {day:%A} closes at {end}"


@pytest.mark.parametrize("state", sorted(s for s, rule in ROWS.items() if rule.holidays))
@pytest.mark.parametrize("year", [2026, 2027])
def test_holidays_held(state: str, year: int) -> None:
    rule = ROWS[state]
    for name in sorted(rule.holidays):
        day = HOLIDAYS[name].on(year)
        assert not _open(rule, day, time(12)), f"{state} {name} {day}"


@pytest.mark.parametrize("state", sorted(ROWS))
def test_cap_and_citation(state: str) -> None:
    rule = ROWS[state]
    assert frequency_cap([state]) == rule.cap
    assert any(mark in rule.citation for mark in ("§", "R.S.", "CMR", "r. ")), rule.citation
    assert rule.state in STATE_ZONES
    assert FEDERAL.hours[0] <= rule.hours[0] < rule.hours[1] <= FEDERAL.hours[1]


def test_caps_where_the_law_sets_one() -> None:
    assert {state for state, rule in ROWS.items() if rule.cap} == {"FL", "MD", "OK"}
    assert frequency_cap(["NY"]) is None
    assert frequency_cap(["CA", "FL"]) == ROWS["FL"].cap


def test_a_state_without_a_row_has_the_federal_hours_every_day() -> None:
    zone = "America/New_York"
    for day in WEEK:
        at = datetime.combine(day, time(20, 59), tzinfo=ZoneInfo(zone))
        assert is_open(at, Locality((zone,), ("NY",)), ANY_DAY)
        assert not is_open(at + timedelta(minutes=1), Locality((zone,), ("NY",)), ANY_DAY)
        early = datetime.combine(day, time(7, 59), tzinfo=ZoneInfo(zone))
        assert not is_open(early, Locality((zone,), ("NY",)), ANY_DAY)


def test_the_day_after_a_holiday_is_open() -> None:
    utah = ROWS["UT"]
    assert not _open(utah, date(2026, 7, 24), time(12))  # Pioneer Day, a Friday
    assert _open(utah, date(2026, 7, 23), time(12))
