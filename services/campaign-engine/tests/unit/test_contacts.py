import pytest

from smsbus.campaigns.domain.contacts import (
    ContactRow,
    RowError,
    address_of,
    check_filter,
    matches,
    phone_among,
    read_csv,
    reply_sender,
)
from smsbus.runtime.testing import labelled

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


@pytest.mark.parametrize(("fields", "expected"), labelled(ADDRESSES))
def test_address_of_openphone_fields(fields: dict[str, object], expected: dict[str, str]) -> None:
    assert address_of(fields) == expected


PHONES = [
    ("a Phone field", {"Phone": "(212) 555-0123"}, "+12125550123"),
    ("a list under a phone label: the first that reads", {"Mobile phone": ["n/a", "2125550123"]}, "+12125550123"),
    ("labels in any case", {"PHONE 2": "+1 305 555 0123"}, "+13055550123"),
    ("the first phone label in order wins", {"phone": "2125550123", "Work phone": "3055550123"}, "+12125550123"),
    ("an unreadable first label: the next one", {"Phone": "call me", "Other phone": "3055550123"}, "+13055550123"),
    ("numbers under other labels are not phones", {"Fax": "2125550123", "Notes": "3055550123"}, None),
    ("no fields", {}, None),
    ("an empty value", {"Phone": ""}, None),
    ("a missing value", {"Phone": None}, None),
    ("a non-text value", {"Phone": 2125550123}, "+12125550123"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "expected"), labelled(PHONES))
def test_phone_among_contact_fields(fields: dict[str, object], expected: str | None) -> None:
    assert phone_among(fields, region="US") == expected


def test_phone_among_reads_national_numbers_in_the_region() -> None:
    assert phone_among({"Phone": "020 7946 0018"}, region="GB") == "+442079460018"
    assert phone_among({"Phone": "020 7946 0018"}, region="US") is None


SENDERS = [
    ("an incoming text from a number", "incoming", "(212) 555-0123", "+12125550123"),
    ("an outgoing text is nobody's reply", "outgoing", "+12125550123", None),
    ("a short code is no member", "incoming", "72345", None),
    ("an empty sender", "incoming", "", None),
]


@pytest.mark.parametrize(("direction", "sender", "expected"), labelled(SENDERS))
def test_reply_sender(direction: str, sender: str, expected: str | None) -> None:
    assert reply_sender(direction, sender, region="US") == expected
