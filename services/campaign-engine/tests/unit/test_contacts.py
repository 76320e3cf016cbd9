import pytest

from smsbus.campaigns.domain.contacts import (
    ContactRow,
    RowError,
    address_of,
    check_filter,
    matches,
    read_csv,
)

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


ADDRESSES = [
    ("state and zip fields", {"Phone": ["+13055550123"], "State": "Florida", "Zip": "33101"}, {"state": "FL", "zip": "33101"}),
    ("postal code", {"Postal Code": ["94105-1234"]}, {"zip": "94105-1234"}),
    ("an address line", {"Address": "1 Ocean Dr, Miami, FL 33139"}, {"state": "FL", "zip": "33139"}),
    ("an address with the country", {"Home address": ["12 Main St, Austin, TX 78701, USA"]}, {"state": "TX", "zip": "78701"}),
    ("the state field wins over the address", {"State": "CA", "Address": "Miami, FL 33139"}, {"state": "CA", "zip": "33139"}),
    ("nothing that reads as one", {"State": "Ontario", "Zip": "K1A 0B1", "Address": "somewhere"}, {}),
    ("no address fields", {"Phone": ["+13055550123"], "Company": "Acme"}, {}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "expected"), [c[1:] for c in ADDRESSES], ids=[c[0] for c in ADDRESSES]
)
def test_address_of_openphone_fields(fields: dict[str, object], expected: dict[str, str]) -> None:
    assert address_of(fields) == expected
