"""Caps, A/B assignment, the member status machine, the campaign lifecycle, sentiment."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from smsbus.campaigns.domain import ab, lifecycle, sentiment
from smsbus.campaigns.domain.caps import ContactHistory, contact_refusal, remaining_today
from smsbus.campaigns.domain.status import advance
from smsbus.runtime.testing import labelled

NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)
H = timedelta(hours=1)

CAPS = [
    ("FL 3 in 24h waits", ["FL"], "marketing", [NOW - 1 * H, NOW - 2 * H, NOW - 3 * H], None, ("frequency_cap", NOW + 21 * H)),
    ("FL 2 in 24h sends", ["FL"], "marketing", [NOW - 1 * H, NOW - 2 * H], None, None),
    ("FL old sends do not count", ["FL"], "marketing", [NOW - 1 * H, NOW - 2 * H, NOW - 25 * H], None, None),
    ("NY has no cap", ["NY"], "marketing", [NOW - 1 * H, NOW - 2 * H, NOW - 3 * H], None, None),
    ("transactional exempt", ["FL"], "transactional", [NOW - 1 * H, NOW - 2 * H, NOW - 3 * H], None, None),
    ("gap from another campaign", ["NY"], "marketing", [], ("other", NOW - 10 * 24 * H), ("contact_gap", NOW + 20 * 24 * H)),
    ("gap passed", ["NY"], "marketing", [], ("other", NOW - 31 * 24 * H), None),
    ("same campaign is no gap", ["NY"], "marketing", [], ("this", NOW - 1 * H), None),
]  # fmt: skip


@pytest.mark.parametrize(("states", "purpose", "sends", "last", "expected"), labelled(CAPS))
def test_contact_refusal(
    states: list[str],
    purpose: str,
    sends: list[datetime],
    last: tuple[str, datetime] | None,
    expected: object,
) -> None:
    history = ContactHistory(sends, last[1] if last else None, last[0] if last else None)
    found = contact_refusal(
        now=NOW,
        purpose=purpose,
        states=states,
        history=history,
        campaign_id="this",
        min_gap=timedelta(days=30),
    )  # type: ignore[arg-type]
    assert found == expected


def test_daily_limit() -> None:
    assert remaining_today(daily_limit=125, used_today=124) == 1
    assert remaining_today(daily_limit=125, used_today=125) == 0
    assert remaining_today(daily_limit=None, used_today=10**6) is None


def test_assignment_is_stable_and_follows_the_split() -> None:
    weights = [("A", 70.0), ("B", 30.0)]
    first = [ab.assign("camp-1", f"contact-{i}", weights) for i in range(10_000)]
    again = [ab.assign("camp-1", f"contact-{i}", list(weights)) for i in range(10_000)]
    assert first == again
    share = Counter(first)["A"] / len(first)
    assert 0.68 < share < 0.72
    other = [ab.assign("camp-2", f"contact-{i}", weights) for i in range(10_000)]
    assert first != other  # independent across campaigns


def test_assignment_rejects_bad_weights() -> None:
    with pytest.raises(ValueError, match="positive"):
        ab.assign("c", "x", [("A", 1.0), ("B", 0.0)])


STATUS = [
    ("pending → sending", "pending", "sending", "sending"),
    ("sending → sent", "sending", "sent", "sent"),
    ("sent → delivered", "sent", "delivered", "delivered"),
    ("delivered → responded", "delivered", "responded", "responded"),
    ("late sent after delivered ignored", "delivered", "sent", "delivered"),
    ("delivered after responded ignored", "responded", "delivered", "responded"),
    ("failed is terminal", "failed", "delivered", "failed"),
    ("undelivered is terminal", "undelivered", "sent", "undelivered"),
    ("late failure after delivery ignored", "delivered", "failed", "delivered"),
    ("failure before delivery counts", "sent", "undelivered", "undelivered"),
    ("opt-out after delivery", "delivered", "opted_out", "opted_out"),
    ("opted_out is terminal", "opted_out", "responded", "opted_out"),
    ("skipped is terminal", "skipped", "sent", "skipped"),
]  # fmt: skip


@pytest.mark.parametrize(("current", "incoming", "expected"), labelled(STATUS))
def test_status_machine(current: str, incoming: str, expected: str) -> None:
    assert advance(current, incoming) == expected


LIFECYCLE = [
    ("draft", "start", "running"), ("draft", "schedule", "scheduled"), ("scheduled", "start", "running"),
    ("running", "pause", "paused"), ("paused", "resume", "running"), ("running", "cancel", "cancelled"),
    ("running", "complete", "completed"),
]  # fmt: skip


@pytest.mark.parametrize(("status", "action", "expected"), LIFECYCLE)
def test_lifecycle(status: str, action: str, expected: str) -> None:
    assert lifecycle.transition(status, action) == expected


@pytest.mark.parametrize(
    ("status", "action"),
    [("completed", "resume"), ("cancelled", "start"), ("draft", "pause"), ("paused", "start")],
)
def test_lifecycle_refuses(status: str, action: str) -> None:
    with pytest.raises(lifecycle.InvalidTransition):
        lifecycle.transition(status, action)


@pytest.mark.parametrize(
    ("text", "label"),
    [("Yes, interested!", "positive"), ("sounds good, call me", "positive"), ("not interested", "negative"),
     ("No thanks, wrong number", "negative"), ("what is this?", "neutral"), ("", "neutral")],
)  # fmt: skip
def test_sentiment(text: str, label: str) -> None:
    assert sentiment.label(text) == label
