"""Where the person lives decides when a member may be sent and when it is tried again: the
number's state and the address's (state field or ZIP), the strictest of them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from smsbus.campaigns.domain import caps, decide, templates, windows
from smsbus.runtime.testing import labelled

EVERY_DAY = windows.SendWindow(frozenset(range(7)), time(0), time(23, 59))
CAMPAIGN = decide.Campaign("c1", "marketing", EVERY_DAY, None, {"A": templates.parse("Hi")})
SEND = decide.Send("Hi", 1, "GSM-7")
H = timedelta(hours=1)
CA, NY, AL, TX = "+14155550123", "+12125550123", "+12055550123", "+12145550123"

EVENING = datetime(2026, 3, 4, 1, 30, tzinfo=UTC)  # Tuesday 20:30 EST, 17:30 PST
SUNDAY = datetime(2026, 3, 8, 17, tzinfo=UTC)  # 12:00 CDT / 13:00 EDT
HOLIDAY = datetime(2026, 7, 24, 18, tzinfo=UTC)  # Pioneer Day, a Friday, 12:00 MDT


def decided(now: datetime, phone: str, state: str | None = None, zip_code: str | None = None,
            sends: list[datetime] | None = None) -> decide.Decision:  # fmt: skip
    member = decide.Member(phone, "A", {}, address_state=state, address_zip=zip_code)
    history = caps.ContactHistory(sends or [], None, None)
    checks = decide.Checks(suppressed=False, ineligible=[], history=history, daily_remaining=None)
    return decide.decide(now, CAMPAIGN, member, checks)


CASES = [
    ("california number alone at 20:30 ET: sent", EVENING, CA, None, None, None, SEND),
    # Held until 08:00 in every zone the person may be in: Pacific (the number), Central (Florida's panhandle).
    ("california number, florida address: held", EVENING, CA, "FL", None, None,
     decide.Wait(datetime(2026, 3, 4, 16, tzinfo=UTC), "outside_window")),
    ("california number, florida ZIP: held", EVENING, CA, None, "33101", None,
     decide.Wait(datetime(2026, 3, 4, 16, tzinfo=UTC), "outside_window")),
    ("new york number, florida address, 19:30 ET: sent", EVENING - H, NY, "Florida", None, None, SEND),
    ("alabama number on a Sunday: until Monday 08:00 CDT", SUNDAY, AL, None, None, None,
     decide.Wait(datetime(2026, 3, 9, 13, tzinfo=UTC), "outside_window")),
    ("new york number living in Mississippi, Sunday", SUNDAY, NY, "MS", None, None,
     decide.Wait(datetime(2026, 3, 9, 13, tzinfo=UTC), "outside_window")),
    ("texas on a Sunday at noon: sent", SUNDAY, TX, None, None, None, SEND),
    ("utah ZIP on Pioneer Day (Friday): Saturday 08:00 MDT", HOLIDAY, NY, None, "84101", None,
     decide.Wait(datetime(2026, 7, 25, 14, tzinfo=UTC), "outside_window")),
    ("maryland address, three sends today: the cap", EVENING - 3 * H, NY, "MD", None,
     [EVENING - 4 * H, EVENING - 5 * H, EVENING - 6 * H],
     decide.Wait(EVENING - 6 * H + 24 * H, "frequency_cap")),
    ("oklahoma ZIP, three sends today: the cap", EVENING - 3 * H, NY, None, "73102",
     [EVENING - 4 * H, EVENING - 5 * H, EVENING - 6 * H],
     decide.Wait(EVENING - 6 * H + 24 * H, "frequency_cap")),
    ("new york alone, three sends today: no cap", EVENING - 3 * H, NY, None, None,
     [EVENING - 4 * H, EVENING - 5 * H, EVENING - 6 * H], SEND),
]  # fmt: skip


@pytest.mark.parametrize(
    ("now", "phone", "state", "zip_code", "sends", "expected"), labelled(CASES)
)
def test_state_rules_decide(
    now: datetime,
    phone: str,
    state: str | None,
    zip_code: str | None,
    sends: list[datetime] | None,
    expected: decide.Decision,
) -> None:
    assert decided(now, phone, state, zip_code, sends) == expected
