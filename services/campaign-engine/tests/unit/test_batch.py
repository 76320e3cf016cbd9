"""A batch decided at once: each member sees the sends decided before it in the same batch (the
campaign's daily limit, the line's segment budget, the number's caps), and a spent limit waits
for its next day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from smsbus.campaigns.domain import batch, caps, decide, templates, windows
from smsbus.runtime.testing import labelled

NOW = datetime(2026, 3, 3, 18, tzinfo=UTC)  # Tuesday 13:00 EST
H = timedelta(hours=1)
NY, NY2, NY3 = "+12125550143", "+12125550144", "+12125550145"
FL = "+13055550143"
EVERY_DAY = windows.SendWindow(frozenset(range(7)), time(0), time(23, 59))


def campaign(
    cid: str, template: str = "Hi {first_name}", gap: timedelta | None = None
) -> decide.Campaign:
    return decide.Campaign(cid, "marketing", EVERY_DAY, gap, {"A": templates.parse(template)})


def limits(daily: int | None = None, budget: int | None = None) -> batch.Limits:
    return batch.Limits(daily, "America/New_York", "PNline", budget)


def due(cid: str, phone: str, *, deleted: bool = False, suppressed: bool = False) -> batch.Due:
    person = None if deleted else decide.Member(phone, "A", {"first_name": "Ann"})
    return batch.Due(cid, phone, person, suppressed, [])


def decided(members: list[batch.Due], lim: batch.Limits, *, history: dict[str, caps.ContactHistory] | None = None,
            campaigns: dict[str, decide.Campaign] | None = None) -> tuple[list[decide.Decision], batch.Counts]:  # fmt: skip
    campaigns = campaigns or {"c1": campaign("c1")}
    phones = {m.phone for m in members}
    counts = batch.Counts(
        used=dict.fromkeys(campaigns, 0),
        line_segments={"PNline": 0},
        history={p: (history or {}).get(p, caps.ContactHistory()) for p in phones},
    )
    return batch.decide_batch(
        NOW, members, campaigns, dict.fromkeys(campaigns, lim), counts
    ), counts


SEND = decide.Send("Hi Ann", 1, "GSM-7")
NEXT_NY_DAY = datetime(2026, 3, 4, tzinfo=ZoneInfo("America/New_York"))
NEXT_UTC_DAY = datetime(2026, 3, 4, tzinfo=UTC)
TWO_FL_SENDS = {FL: caps.ContactHistory([NOW - 1 * H, NOW - 2 * H], NOW - 1 * H, "c0")}
CASES = [
    ("daily limit 2: the third waits for the campaign's next day",
     [due("c1", NY), due("c1", NY2), due("c1", NY3)], limits(daily=2), None,
     [SEND, SEND, decide.Wait(NEXT_NY_DAY, "daily_limit")]),
    ("segment budget 2: the third waits for the next UTC day",
     [due("c1", NY), due("c1", NY2), due("c1", NY3)], limits(budget=2), None,
     [SEND, SEND, decide.Wait(NEXT_UTC_DAY, "line_segment_budget")]),
    ("a skip counts nothing against the limit",
     [due("c1", NY, suppressed=True), due("c1", NY2)], limits(daily=1), None,
     [decide.Skip("opted_out"), SEND]),
    ("a deleted contact is skipped before its consent is looked at",
     [due("c1", NY, deleted=True, suppressed=True)], limits(), None,
     [decide.Skip("contact_deleted")]),
    ("FL with two sends today: a third in the batch, then the cap",
     [due("c1", FL), due("c2", FL)], limits(), TWO_FL_SENDS,
     [SEND, decide.Wait(NOW - 2 * H + 24 * H, "frequency_cap")]),
]  # fmt: skip


@pytest.mark.parametrize(("members", "lim", "history", "expected"), labelled(CASES))
def test_decide_batch(
    members: list[batch.Due],
    lim: batch.Limits,
    history: dict[str, caps.ContactHistory] | None,
    expected: list[decide.Decision],
) -> None:
    campaigns = {"c1": campaign("c1"), "c2": campaign("c2")}
    assert decided(members, lim, history=history, campaigns=campaigns)[0] == expected


def test_the_gap_between_campaigns_holds_within_a_batch() -> None:
    campaigns = {
        "c1": campaign("c1", gap=timedelta(days=30)),
        "c2": campaign("c2", gap=timedelta(days=30)),
    }
    decisions, counts = decided([due("c1", NY), due("c2", NY)], limits(), campaigns=campaigns)
    assert decisions == [SEND, decide.Skip("contact_gap")]
    assert counts.history[NY] == caps.ContactHistory([NOW], NOW, "c1")


def test_counts_move_on_with_each_send() -> None:
    long = campaign("c1", template="x" * 200)  # two GSM-7 segments
    decisions, counts = decided([due("c1", NY), due("c1", NY2)], limits(), campaigns={"c1": long})
    assert [type(d) for d in decisions] == [decide.Send, decide.Send]
    assert (counts.used, counts.line_segments) == ({"c1": 2}, {"PNline": 4})
