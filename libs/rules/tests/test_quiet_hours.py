from datetime import UTC, datetime, time

import pytest

from smsbus.rules.quiet_hours import SendWindow, is_open, locality, next_open
from smsbus.rules.strictest import law_for
from smsbus.runtime.testing import labelled

ANY_DAY = SendWindow(frozenset(range(7)), time(0), time(23, 59))
OFFICE = SendWindow()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


LOCALITY = [
    ("florida", "+13055550123", None, ("America/New_York",), ("FL",)),
    ("oklahoma", "+14055550123", None, ("America/Chicago",), ("OK",)),
    ("maryland", "+14105550123", None, ("America/New_York",), ("MD",)),
    ("idaho split zones", "+12085550123", None, ("America/Boise", "America/Los_Angeles"), ("ID",)),
    ("new york city", "+12125550123", None, ("America/New_York",), ("NY",)),
    ("address in another state adds its zones", "+12125550123", "fl", ("America/New_York", "America/Chicago"), ("NY", "FL")),
    ("address by name", "+14155550123", "Florida", ("America/Los_Angeles", "America/New_York", "America/Chicago"), ("CA", "FL")),
    ("address in the number's state keeps its zone", "+13055550123", "FL", ("America/New_York",), ("FL",)),
    ("unknown address state ignored", "+13055550123", "Ontario", ("America/New_York",), ("FL",)),
]  # fmt: skip


@pytest.mark.parametrize(("phone", "state", "zones", "states"), labelled(LOCALITY))
def test_locality(
    phone: str, state: str | None, zones: tuple[str, ...], states: tuple[str, ...]
) -> None:
    found = locality(phone, state)
    assert (found.zones, found.states) == (zones, states)


def test_strictest_hours() -> None:
    assert law_for([]).days[0] == (time(8), time(21))
    assert law_for(["FL"]).days[0] == (time(8), time(20))
    assert law_for(["KY", "FL"]).days[0] == (time(10), time(20))
    assert law_for(["TX", "FL"]).days[6] == (time(12), time(20))
    assert law_for(["TX", "AL"]).days[6] is None  # Alabama's Sunday ban wins


def test_zip_and_state_both_apply() -> None:
    # A California number, a Florida state field and a Dallas ZIP: all three states' rules;
    # Florida's zones both (its ZIP is not Florida's), Texas's narrowed to Central by the ZIP.
    found = locality("+14155550123", "FL", "75201")
    assert found.states == ("CA", "FL", "TX")
    assert found.zones == ("America/Los_Angeles", "America/New_York", "America/Chicago")
    miami = locality("+14155550123", None, "33101")
    assert (miami.states, miami.zones) == (
        ("CA", "FL"),
        ("America/Los_Angeles", "America/New_York"),
    )


OPEN = [
    # 2026-03-03 is a Tuesday; EST = UTC-5 until 2026-03-08 (DST), then EDT = UTC-4.
    ("federal late evening NY", "+12125550123", None, ANY_DAY, "2026-03-04T01:30", True),   # 20:30 EST
    ("federal after 21 NY", "+12125550123", None, ANY_DAY, "2026-03-04T02:00", False),      # 21:00 EST
    ("florida after 20", "+13055550123", None, ANY_DAY, "2026-03-04T01:30", False),         # 20:30 EST
    ("florida by address", "+12125550123", "FL", ANY_DAY, "2026-03-04T01:30", False),
    ("california number, florida address, 20:30 ET", "+14155550123", "FL", ANY_DAY, "2026-03-04T01:30", False),
    ("california number, florida address, 19:30 ET", "+14155550123", "FL", ANY_DAY, "2026-03-04T00:30", True),   # 16:30 PT
    ("california number alone, 20:30 ET", "+14155550123", None, ANY_DAY, "2026-03-04T01:30", True),             # 17:30 PT
    ("alabama number on a Sunday", "+12055550123", None, ANY_DAY, "2026-03-08T17:00", False),                  # Sun 11:00 CST
    ("alabama number on a Monday", "+12055550123", None, ANY_DAY, "2026-03-09T17:00", True),
    ("utah address on a Sunday", "+12125550123", "UT", ANY_DAY, "2026-03-08T19:00", False),
    ("texas sunday morning", "+12145550123", None, ANY_DAY, "2026-03-08T16:30", False),                        # Sun 10:30 CDT
    ("texas sunday afternoon", "+12145550123", None, ANY_DAY, "2026-03-08T18:30", True),                       # Sun 13:30 CDT
    ("utah on Christmas", "+18015550123", None, ANY_DAY, "2026-12-25T18:00", False),
    ("new york on Christmas: no state ban", "+12125550123", None, ANY_DAY, "2026-12-25T18:00", True),
    ("federal before 8", "+12125550123", None, ANY_DAY, "2026-03-03T12:59", False),        # 07:59 EST
    ("federal at 8", "+12125550123", None, ANY_DAY, "2026-03-03T13:00", True),
    ("office hours tuesday", "+12125550123", None, OFFICE, "2026-03-03T14:00", True),       # 09:00
    ("office closes at 18", "+12125550123", None, OFFICE, "2026-03-03T23:00", False),       # 18:00
    ("saturday", "+12125550123", None, OFFICE, "2026-03-07T15:00", False),
    ("split zone: Boise open, LA not", "+12085550123", None, OFFICE, "2026-03-03T16:30", False),  # 09:30 MST / 08:30 PST
    ("split zone: both open", "+12085550123", None, OFFICE, "2026-03-03T17:00", True),            # 10:00 / 09:00
    ("DST: 9 EDT is 13 UTC", "+12125550123", None, OFFICE, "2026-03-09T13:00", True),
    ("DST: 12:30 UTC is 8:30 EDT", "+12125550123", None, OFFICE, "2026-03-09T12:30", False),
    ("oklahoma central 19:59", "+14055550123", None, ANY_DAY, "2026-03-04T01:59", True),    # 19:59 CST
    ("oklahoma central 20:00", "+14055550123", None, ANY_DAY, "2026-03-04T02:00", False),
]  # fmt: skip


@pytest.mark.parametrize(("phone", "state", "window", "now", "expected"), labelled(OPEN))
def test_is_open(
    phone: str, state: str | None, window: SendWindow, now: str, expected: bool
) -> None:
    assert is_open(at(now), locality(phone, state), window) is expected


def test_next_open_skips_weekend_and_waits_for_the_latest_zone() -> None:
    friday_evening = at("2026-03-06T23:30")
    assert next_open(friday_evening, locality("+12125550123"), OFFICE) == at("2026-03-09T13:00")
    assert next_open(at("2026-03-03T16:00"), locality("+12085550123"), OFFICE) == at(
        "2026-03-03T17:00"
    )
