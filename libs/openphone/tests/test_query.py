"""Query strings: repeated keys, `+` percent-encoded, times in UTC with Z."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from smsbus.openphone.query import QueryBuilder, encode_query, format_time, segment, thread_query


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([("participants", "+15555550123")], "participants=%2B15555550123"),
        (
            [("participants", "+15555550123"), ("participants", "+15555550124")],
            "participants=%2B15555550123&participants=%2B15555550124",
        ),
        ([("q", "a b&c=d/é")], "q=a%20b%26c%3Dd%2F%C3%A9"),
        (
            [("createdAfter", "2026-01-01T00:00:00.000Z")],
            "createdAfter=2026-01-01T00%3A00%3A00.000Z",
        ),
        ([], ""),
    ],
)
def test_encode_query(params: list[tuple[str, str]], expected: str) -> None:
    assert encode_query(params) == expected


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2026, 4, 13, 12, 0, tzinfo=UTC), "2026-04-13T12:00:00.000Z"),
        (datetime(2026, 4, 13, 12, 0, 0, 123999, tzinfo=UTC), "2026-04-13T12:00:00.123Z"),
        (
            datetime(2026, 4, 13, 14, 0, tzinfo=timezone(timedelta(hours=2))),
            "2026-04-13T12:00:00.000Z",
        ),
    ],
)
def test_format_time(when: datetime, expected: str) -> None:
    assert format_time(when) == expected


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 4, 13, 12, 0))


def test_a_builder_skips_what_was_not_given() -> None:
    params = (
        QueryBuilder()
        .add("userId", None)
        .add("excludeInactive", True)
        .add("maxResults", 100)
        .add_all("phoneNumbers", None)
        .add_all("phoneNumbers", ["PN1", "+15555550100"])
        .params
    )
    assert params == [
        ("excludeInactive", "true"), ("maxResults", "100"),
        ("phoneNumbers", "PN1"), ("phoneNumbers", "+15555550100"),
    ]  # fmt: skip


def test_the_message_and_call_filters() -> None:
    after = datetime(2026, 4, 13, tzinfo=UTC)
    params = thread_query("PN1", ["+15555550123"], after, None, None).params
    assert params == [
        ("phoneNumberId", "PN1"), ("participants", "+15555550123"),
        ("createdAfter", "2026-04-13T00:00:00.000Z"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [("AC123abc", "AC123abc"), ("../v1/webhooks", "..%2Fv1%2Fwebhooks"), ("a?b", "a%3Fb")],
)
def test_an_id_stays_one_path_segment(value: str, expected: str) -> None:
    assert segment(value) == expected
