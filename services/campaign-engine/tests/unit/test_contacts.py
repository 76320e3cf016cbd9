import pytest

from smsbus.campaigns.domain.contacts import ContactRow, RowError, check_filter, matches, read_csv

CSV = """Name,Mobile,Company,Plan
Ann,(305) 555-0123,Acme,gold
Bob,not a phone,,silver
Cy,,Beta,
Di,+1 212 555 0123,,gold
"""


def test_csv_streaming_with_mapping_reports_bad_rows_by_line() -> None:
    items = list(
        read_csv(CSV.splitlines(keepends=True), mapping={"Name": "first_name", "Mobile": "phone"})
    )
    good = [i for i in items if isinstance(i, ContactRow)]
    bad = [i for i in items if isinstance(i, RowError)]
    assert [(g.line, g.phone, g.standard.get("first_name"), g.custom) for g in good] == [
        (2, "+13055550123", "Ann", {"plan": "gold"}),
        (5, "+12125550123", "Di", {"plan": "gold"}),
    ]
    assert [(b.line, b.reason.split(":")[0]) for b in bad] == [
        (3, "not a phone number"),
        (4, "empty phone"),
    ]


def test_dynamic_filter() -> None:
    spec = {
        "all": [
            {"field": "plan", "op": "eq", "value": "GOLD"},
            {"field": "do_not_contact", "op": "missing"},
        ]
    }
    check_filter(spec)
    assert matches(spec, {"plan": "gold", "do_not_contact": False})
    assert not matches(spec, {"plan": "gold", "do_not_contact": True})
    with pytest.raises(ValueError, match="op must be"):
        check_filter({"all": [{"field": "x", "op": "like"}]})
