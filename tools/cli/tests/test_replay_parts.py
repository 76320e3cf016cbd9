"""The pure parts of `smsbus replay`: filters, the window in offsets, pacing, the checkpoint,
replay headers, progress lines. Tables of labelled cases."""

import io
import json
from datetime import UTC, datetime

import pytest

from smsbus.cli.replay import headers
from smsbus.cli.replay.checkpoint import Checkpoint, load, replay_id, save
from smsbus.cli.replay.pacing import Pacer, parse_rate
from smsbus.cli.replay.progress import clock, eta, plain_line, progress
from smsbus.cli.replay.selection import Selection, e164, view
from smsbus.cli.replay.window import Span, WindowError, check_window, parse_time, spans
from smsbus.contracts import EVENT_TYPES
from smsbus.contracts.asyncapi_parts import REPLAY_HEADERS

ALICE, BOB = "+14155550123", "+12125550199"


def envelope(event_type: str, *, source: str = "openphone.webhook", **data: object) -> bytes:
    return json.dumps(
        {"type": event_type, "source": source, "dedupe_key": f"{event_type}:X1", "data": data}
    ).encode()


RECORDS = {
    "alice texts in": view(
        ALICE.encode(),
        envelope("message.received", **{"from": ALICE, "to": [BOB]}),
        [("event-type", b"message.received")],
    ),
    "bob's delivery, keyed by bob": view(
        BOB.encode(), envelope("message.delivered", **{"from": "+15555550100", "to": [BOB]}), []
    ),
    "a call with alice among participants": view(
        b"+19998887777",
        envelope("call.completed", participants=["+19998887777", ALICE]),
        [("event-type", b"call.completed")],
    ),
    "alice revoked consent (reconciler)": view(
        ALICE.encode(),
        envelope("consent.revoked", source="reconciler", phone=ALICE),
        [("event-type", b"consent.revoked")],
    ),
    "not JSON at all": view(b"k", b"\xff\xfe not json", [("event-type", b"webhook.rejected")]),
}


@pytest.mark.parametrize(
    ("label", "selection", "picked"),
    [
        ("no filter picks everything", Selection.of(), set(RECORDS)),
        ("one type", Selection.of(types=["message.received"]), {"alice texts in"}),
        ("a type pattern", Selection.of(types=["message.*"]), {"alice texts in", "bob's delivery, keyed by bob"}),
        ("a phone as the key, a sender, a participant, a consent's phone", Selection.of(phones=[ALICE]),
         {"alice texts in", "a call with alice among participants", "alice revoked consent (reconciler)"}),
        ("a phone written loosely", Selection.of(phones=["1 (415) 555-0123"]),
         {"alice texts in", "a call with alice among participants", "alice revoked consent (reconciler)"}),
        ("a phone among the recipients", Selection.of(phones=[BOB]), {"alice texts in", "bob's delivery, keyed by bob"}),
        ("type AND phone", Selection.of(types=["message.*"], phones=[ALICE]), {"alice texts in"}),
        ("two types: either", Selection.of(types=["call.completed", "consent.revoked"]),
         {"a call with alice among participants", "alice revoked consent (reconciler)"}),
        ("a source", Selection.of(sources=["reconciler"]), {"alice revoked consent (reconciler)"}),
        ("a dedupe key", Selection.of(dedupe_keys=["call.completed:X1"]), {"a call with alice among participants"}),
        ("the type header of a body that is not JSON", Selection.of(types=["webhook.rejected"]), {"not JSON at all"}),
        ("a content filter never picks a body that is not JSON", Selection.of(sources=["openphone.webhook"]),
         {"alice texts in", "bob's delivery, keyed by bob", "a call with alice among participants"}),
    ],
)  # fmt: skip
def test_filters(label: str, selection: Selection, picked: set[str]) -> None:
    assert {name for name, record in RECORDS.items() if selection.matches(record)} == picked, label


def test_the_same_filters_in_any_order_describe_the_same_replay() -> None:
    one = Selection.of(types=["b", "a", "a"], phones=[ALICE, "14155550123"])
    other = Selection.of(types=["a", "b"], phones=[ALICE])
    assert one == other
    assert one.describe() == {"type": ["a", "b"], "phone": [ALICE], "dedupe_key": [], "source": []}


def test_type_patterns_that_match_no_event_type_are_named() -> None:
    selection = Selection.of(types=["message.*", "mesage.received", "consent.revoked"])
    assert selection.unknown_types(EVENT_TYPES) == ["mesage.received"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("+14155550123", ALICE), ("14155550123", ALICE), ("+1 415-555-0123", ALICE),
     ("(415) 555.0123", "+4155550123"), ("CT123", "CT123"), (" +4420 7946 0958 ", "+442079460958")],
)  # fmt: skip
def test_phone_numbers_are_compared_as_e164(text: str, number: str) -> None:
    assert e164(text) == number


P0, P1, P2, P3 = ("t", 0), ("t", 1), ("t", 2), ("u", 0)
BEGINNINGS = {P0: 0, P1: 10, P2: 0, P3: 5}
ENDS = {P0: 100, P1: 50, P2: 0, P3: 5}


@pytest.mark.parametrize(
    ("label", "at_since", "at_until", "expected"),
    [
        ("no bounds: all of each partition", None, None,
         {P0: Span(0, 100), P1: Span(10, 50), P2: Span(0, 0), P3: Span(5, 5)}),
        ("since: from the broker's offset", {P0: 40, P1: 20, P2: None, P3: None}, None,
         {P0: Span(40, 100), P1: Span(20, 50), P2: Span(0, 0), P3: Span(5, 5)}),
        ("since after every record of a partition: nothing there", {P0: None, P1: 20, P2: None, P3: None}, None,
         {P0: Span(100, 100), P1: Span(20, 50), P2: Span(0, 0), P3: Span(5, 5)}),
        ("until: up to, not including, its offset", None, {P0: 60, P1: None, P2: None, P3: None},
         {P0: Span(0, 60), P1: Span(10, 50), P2: Span(0, 0), P3: Span(5, 5)}),
        ("both", {P0: 40, P1: 30, P2: None, P3: None}, {P0: 60, P1: 30, P2: None, P3: None},
         {P0: Span(40, 60), P1: Span(30, 30), P2: Span(0, 0), P3: Span(5, 5)}),
        ("an offset before retention's start is the start", {P0: 0, P1: 3, P2: None, P3: None}, None,
         {P0: Span(0, 100), P1: Span(10, 50), P2: Span(0, 0), P3: Span(5, 5)}),
    ],
)  # fmt: skip
def test_window_in_offsets(
    label: str, at_since: dict | None, at_until: dict | None, expected: dict
) -> None:
    assert (
        spans(beginnings=BEGINNINGS, ends=ENDS, at_since=at_since, at_until=at_until) == expected
    ), label


@pytest.mark.parametrize(
    ("since", "until", "problem"),
    [("2026-11-29T06:00", None, "no UTC offset"), ("yesterday", None, "not an ISO 8601 time"),
     ("2026-11-29T06:00Z", "2026-11-29T06:00Z", "not after"), ("2026-11-29T07:00Z", "2026-11-29T06:00+00:00", "not after")],
)  # fmt: skip
def test_a_window_that_cannot_be_is_refused(since: str, until: str | None, problem: str) -> None:
    with pytest.raises(WindowError, match=problem):
        check_window(parse_time(since), parse_time(until) if until else None)


def test_a_window_in_another_offset_is_the_same_moment() -> None:
    assert parse_time("2026-11-29T07:00+01:00") == datetime(2026, 11, 29, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("1000", 1000.0), ("1000/s", 1000.0), ("60/m", 1.0), ("7200/h", 2.0), ("2.5/s", 2.5)],
)
def test_rates(text: str, per_second: float) -> None:
    assert parse_rate(text) == per_second


@pytest.mark.parametrize("text", ["0", "-5/s", "fast", "10/day"])
def test_not_rates(text: str) -> None:
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(text)


def test_the_pacer_keeps_to_the_rate_sleeping_every_slack_seconds() -> None:
    pacer = Pacer(1000.0, slack=0.05)
    now, waits = 100.0, []
    for _ in range(3000):  # as fast as the caller can, sleeping when told
        delay = pacer.book(now)
        if delay:
            waits.append(delay)
            now += delay
    assert 2.9 <= now - 100.0 <= 3.0  # 3000 records at 1000/s: 3 s (the last slot is booked ahead)
    assert 55 <= len(waits) <= 62  # a sleep per ~50 records, not one per record
    assert all(0.05 < wait <= 0.052 for wait in waits)


def test_the_pacer_does_not_bank_idle_time_and_without_a_rate_never_waits() -> None:
    pacer = Pacer(10.0, slack=0.0)
    assert pacer.book(0.0) == 0.0
    assert pacer.book(60.0) == 0.0  # a minute idle
    assert pacer.book(60.0) == pytest.approx(0.1)  # no burst of 600 records after it
    assert Pacer(None).book(0.0) == 0.0


def test_a_checkpoint_round_trips_and_says_what_is_left(tmp_path) -> None:
    plan = {"topics": ["t"], "since": None, "until": None, "select": {}, "to_topic": "x"}
    checkpoint = Checkpoint.new(plan, {P1: Span(10, 50), P0: Span(0, 100), P2: Span(0, 0)})
    checkpoint.record(P0, 9, "message.received")
    checkpoint.record(P0, 10, None)
    checkpoint.record(P1, 49, "consent.revoked")
    checkpoint.target_ends = {0: 7, 1: 3}
    path = tmp_path / "replays" / f"{checkpoint.replay_id}.json"
    save(path, checkpoint)
    again = load(path)
    assert again == checkpoint
    assert again.replay_id == replay_id(plan) == replay_id(dict(reversed(plan.items())))
    assert (again.total, again.scanned, again.copied) == (140, 51, 2)
    assert again.remaining() == {P0: Span(11, 100)}
    assert again.counts() == {"by_type": {"consent.revoked": 1, "message.received": 1},
                              "by_partition": {"t/0": 1, "t/1": 1}}  # fmt: skip
    assert load(tmp_path / "none.json") is None
    assert replay_id(plan | {"to_topic": "y"}) != replay_id(plan)


def test_replay_headers_keep_the_originals_and_replace_an_earlier_replays() -> None:
    original = [
        ("event-id", b"EV1"),
        ("event-type", b"message.received"),
        ("x-replayed-from", b"old/0/1"),
    ]
    at = datetime(2026, 11, 29, 6, tzinfo=UTC)
    marked = headers.replayed(original, source="t/2/40", at=at, by="abc", timestamp_ms=1700)
    assert marked == [
        ("event-id", b"EV1"), ("event-type", b"message.received"), ("x-replayed-from", b"t/2/40"),
        ("x-replayed-at", b"2026-11-29T06:00:00+00:00"), ("x-replayed-by", b"abc"),
        ("x-replayed-timestamp", b"1700"),
    ]  # fmt: skip
    assert {name for name, _ in marked if name.startswith(headers.PREFIX)} == set(REPLAY_HEADERS)


@pytest.mark.parametrize(
    ("read", "total", "written", "elapsed", "before", "line"),
    [
        (0, 10_000, 0, 0.0, (0, 0), "replay: 0/10000 (0 %) read, 0 copied, 0/s, eta -:--:--"),
        (2_500, 10_000, 1_000, 1.0, (0, 0), "replay: 2500/10000 (25 %) read, 1000 copied, 1000/s, eta 0:00:03"),
        (10_000, 10_000, 3_000, 3.0, (0, 0), "replay: 10000/10000 (100 %) read, 3000 copied, 1000/s, eta 0:00:00"),
        (7, None, 7, 2.0, (0, 0), "replay: 7 read, 7 copied, 4/s"),
        # resumed at 4,000 read and 1,000 copied: the pace is this run's
        (6_000, 10_000, 1_500, 1.0, (4_000, 1_000), "replay: 6000/10000 (60 %) read, 1500 copied, 500/s, eta 0:00:02"),
    ],
)  # fmt: skip
def test_plain_progress_lines(
    read: int, total: int | None, written: int, elapsed: float, before: tuple[int, int], line: str
) -> None:
    assert (
        plain_line(
            "replay",
            read=read,
            total=total,
            written=written,
            verb="copied",
            elapsed=elapsed,
            before=before,
        )
        == line
    )


def test_time_left() -> None:
    assert eta(0, 10, 5.0) is None
    assert eta(5, 10, 5.0) == 5.0
    assert clock(3725.4) == "1:02:05"


def test_a_polled_job_and_a_resumed_copy_report_where_they_stand() -> None:
    out = io.StringIO()
    with progress("import 7", 6500, verb="records", stream=out, interval=3600) as polled:
        polled.set(read=1000, written=80)
        polled.set(read=6500, written=500)  # absolute, as the API tells it
    assert out.getvalue().startswith("import 7: 6500/6500 (100 %) read, 500 records, ")
    assert out.getvalue().endswith(", eta 0:00:00\n")

    out = io.StringIO()
    with progress("replay", 10_000, verb="copied", stream=out, interval=3600) as resumed:
        resumed.resume(read=4000, written=1000)
        resumed.advance(read=2, written=1)
    assert out.getvalue().startswith("replay: 4002/10000 (40 %) read, 1001 copied, ")
    assert resumed.before == (4000, 1000)
