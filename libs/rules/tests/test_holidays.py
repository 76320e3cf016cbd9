"""The federal calendar against OPM's published dates, a year at a time (observed days)."""

from datetime import date

import pytest

from smsbus.rules.holidays import Easter, banned_dates, is_holiday, observed_federal

NAMES = (
    "new_year", "martin_luther_king", "washington", "memorial", "juneteenth", "independence",
    "labor", "columbus", "veterans", "thanksgiving", "christmas",
)  # fmt: skip

# opm.gov/policy-data-oversight/pay-leave/federal-holidays, as observed.
KNOWN = {
    2025: ("2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19", "2025-07-04",
           "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25"),
    2026: ("2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
           "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"),
    2027: ("2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05",
           "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24"),
    2028: ("2027-12-31", "2028-01-17", "2028-02-21", "2028-05-29", "2028-06-19", "2028-07-04",
           "2028-09-04", "2028-10-09", "2028-11-10", "2028-11-23", "2028-12-25"),
    2029: ("2029-01-01", "2029-01-15", "2029-02-19", "2029-05-28", "2029-06-19", "2029-07-04",
           "2029-09-03", "2029-10-08", "2029-11-12", "2029-11-22", "2029-12-25"),
    2030: ("2030-01-01", "2030-01-21", "2030-02-18", "2030-05-27", "2030-06-19", "2030-07-04",
           "2030-09-02", "2030-10-14", "2030-11-11", "2030-11-28", "2030-12-25"),
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(KNOWN))
def test_federal_holidays_as_observed(year: int) -> None:
    expected = {name: date.fromisoformat(day) for name, day in zip(NAMES, KNOWN[year], strict=True)}
    assert observed_federal(year) == expected


@pytest.mark.parametrize("year", sorted(KNOWN))
def test_a_ban_covers_the_holiday_and_its_observed_day(year: int) -> None:
    federal = frozenset(NAMES)
    banned = banned_dates(federal, year)
    for day in map(date.fromisoformat, KNOWN[year]):
        assert is_holiday(day, federal)  # 2027-12-31 too: New Year's Day 2028 observed
    assert date(year, 7, 4) in banned  # the day itself, on a weekend too
    assert not is_holiday(date(year, 3, 3), federal)


def test_new_years_day_on_a_saturday_is_observed_the_year_before() -> None:
    assert date(2027, 12, 31) in banned_dates(frozenset({"new_year"}), 2027)
    assert date(2028, 1, 1) in banned_dates(frozenset({"new_year"}), 2028)


EASTER = [(2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"),
          (2028, "2028-04-16"), (2029, "2029-04-01"), (2030, "2030-04-21")]  # fmt: skip


@pytest.mark.parametrize(("year", "sunday"), EASTER)
def test_easter_and_mardi_gras(year: int, sunday: str) -> None:
    assert Easter(0).on(year) == date.fromisoformat(sunday)
    assert Easter(-47).on(year).weekday() == 1  # Mardi Gras is a Tuesday
