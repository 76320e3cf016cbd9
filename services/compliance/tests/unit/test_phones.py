import pytest

from smsbus.compliance.domain.phones import InvalidPhone, describe, to_e164
from smsbus.compliance.lookup import line_type_of


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+14155552671", "+14155552671"),
        ("(415) 555-2671", "+14155552671"),
        ("415.555.2671", "+14155552671"),
        ("1-415-555-2671", "+14155552671"),
        ("+1 (415) 555 2671", "+14155552671"),
        ("  4155552671 ", "+14155552671"),
        ("+44 7911 123456", "+447911123456"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+52 55 1234 5678", "+525512345678"),
    ],
)
def test_to_e164_reads_common_formats(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("hello", "not a phone number"),
        ("12", "not a possible"),
        ("+4155552671", "not a possible"),
        ("1" * 50, "too long"),
    ],
)
def test_to_e164_refuses_what_is_not_a_number(raw: str, message: str) -> None:
    with pytest.raises(InvalidPhone, match=message):
        to_e164(raw)


def test_us_numbers_are_never_guessed_mobile_or_landline() -> None:
    info = describe("(415) 555-2671")
    assert (info.e164, info.valid, info.region, info.country_code) == (
        "+14155552671",
        True,
        "US",
        1,
    )
    assert info.number_type == "fixed_line_or_mobile"
    assert info.line_type == "unknown"
    assert info.time_zones == ("America/Los_Angeles",)


@pytest.mark.parametrize(
    ("raw", "line_type", "region"),
    [
        ("+18005551212", "toll_free", "US"),
        ("+19005550100", "premium_rate", "US"),
        ("+447911123456", "mobile", "GG"),
        ("+442079460958", "landline", "GB"),
        ("+15555555555", "unknown", None),
    ],
)
def test_describe_types_where_phonenumbers_knows(
    raw: str, line_type: str, region: str | None
) -> None:
    info = describe(raw)
    assert (info.line_type, info.region) == (line_type, region)


def test_time_zones_of_a_split_area_code_list_every_candidate() -> None:
    assert describe("+12082000000").time_zones == ("America/Boise", "America/Los_Angeles")
    assert describe("+12083430000").time_zones == ("America/Denver",)


@pytest.mark.parametrize(
    ("provider_value", "ours"),
    [
        ("mobile", "mobile"), ("Mobile", "mobile"), ("cell", "mobile"), ("CELL", "mobile"),
        ("cellular", "mobile"), ("wireless", "mobile"), ("landline", "landline"),
        ("fixed_line", "landline"), ("Fixed Line", "landline"), ("fixed-line", "landline"),
        ("toll_free", "toll_free"), ("paging", "pager"), ("voip", "voip"),
        ("satellite", "unknown"), ("", "unknown"), (None, "unknown"), ("mobile phone", "unknown"),
    ],
)  # fmt: skip
def test_a_providers_line_type_in_any_spelling_is_ours(provider_value: object, ours: str) -> None:
    assert line_type_of(provider_value) == ours
