"""The fast pass's decisions: which conversations are read, which wait, where the next resumes."""

from datetime import datetime, timedelta
from typing import Any

import pytest

from smsbus.contracts.rest import Conversation
from smsbus.reconciler.domain.facts import SETTLING_EVENTS
from smsbus.reconciler.domain.fastpass import (
    SKEW,
    FastPlan,
    first_watermark,
    plan_fast_pass,
    read_from,
)

from ..builders import at

NOW = at(600)
LISTED_AT = at(590)
GRACE = timedelta(seconds=60)


def conversation(
    cid: str, activity: str | None, seconds: float | None, **fields: Any
) -> Conversation:
    moment = None if seconds is None else at(seconds)
    values: dict[str, Any] = {
        "id": cid, "phoneNumberId": "PNline1", "participants": ["+14155552671"],
        "updatedAt": moment, "lastActivityId": activity, "lastActivityAt": moment,
    }  # fmt: skip
    return Conversation.model_validate(values | fields)


SEEN_OLD = conversation("CN1", "ACseen", 100)
UNSEEN_OLD = conversation("CN2", "AClost", 100)
UNSEEN_AT_GRACE = conversation("CN3", "ACedge", 540)
UNSEEN_YOUNG = conversation("CN4", "ACyoung", 570)
UNSEEN_YOUNG_UPDATED_LATER = conversation("CN5", "ACyoung2", 560, updatedAt=at(580))
NO_ACTIVITY = conversation("CN6", None, None)
UNDATED_UNSEEN = conversation("CN7", "ACundated", None)

# label, listed, seen activity ids, (read ids, waiting ids, next watermark)
CASES = [
    ("nothing listed: resume from the listing's start", [], set(), ([], [], LISTED_AT - SKEW)),
    ("last activity seen: nothing read", [SEEN_OLD], {"ACseen"}, ([], [], LISTED_AT - SKEW)),
    ("unseen and older than the grace: read", [SEEN_OLD, UNSEEN_OLD], {"ACseen"}, (["CN2"], [], LISTED_AT - SKEW)),
    ("exactly at the grace: read", [UNSEEN_AT_GRACE], set(), (["CN3"], [], LISTED_AT - SKEW)),
    ("younger than the grace: waits, the next pass lists it again", [UNSEEN_OLD, UNSEEN_YOUNG], set(), (["CN2"], ["CN4"], at(570) - SKEW)),
    ("a waiting one resumes from its last activity or its update, the older", [UNSEEN_YOUNG_UPDATED_LATER], set(), ([], ["CN5"], at(560) - SKEW)),
    ("the oldest waiting one sets the watermark", [UNSEEN_YOUNG, UNSEEN_YOUNG_UPDATED_LATER], set(), ([], ["CN4", "CN5"], at(560) - SKEW)),
    ("a young but seen last activity does not wait", [UNSEEN_YOUNG], {"ACyoung"}, ([], [], LISTED_AT - SKEW)),
    ("no activity at all: nothing to judge", [NO_ACTIVITY], set(), ([], [], LISTED_AT - SKEW)),
    ("an undated unseen activity cannot be younger: read", [UNDATED_UNSEEN], set(), (["CN7"], [], LISTED_AT - SKEW)),
    ("listed twice (pages shifted): once", [UNSEEN_OLD, UNSEEN_OLD], set(), (["CN2"], [], LISTED_AT - SKEW)),
]  # fmt: skip


@pytest.mark.parametrize(("label", "listed", "seen", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan(
    label: str,
    listed: list[Conversation],
    seen: set[str],
    expected: tuple[list[str], list[str], datetime],
) -> None:
    plan = plan_fast_pass(listed, seen=seen, listed_at=LISTED_AT, now=NOW, grace=GRACE)
    found = ([c.id for c in plan.read], [c.id for c in plan.waiting], plan.watermark)
    assert found == expected, label
    assert plan.unseen == len(expected[0]) + len(expected[1])


def test_a_plan_counts_every_unseen_last_activity() -> None:
    plan = FastPlan(read=[UNSEEN_OLD], waiting=[UNSEEN_YOUNG], watermark=NOW)
    assert plan.unseen == 2


READ_CASES = [
    ("since the watermark when the last activity is newer", conversation("CN", "AC", 500), at(400), at(400)),
    ("at least the last activity, when the watermark is past it", conversation("CN", "AC", 300), at(400), at(300) - SKEW),
    ("no date: the watermark", conversation("CN", "AC", None), at(400), at(400)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "item", "watermark", "expected"), READ_CASES, ids=[c[0] for c in READ_CASES]
)
def test_read_from(label: str, item: Conversation, watermark: datetime, expected: datetime) -> None:
    assert read_from(item, watermark=watermark) == expected, label


def test_the_first_pass_looks_back() -> None:
    assert first_watermark(now=NOW, lookback=timedelta(minutes=15)) == at(600 - 900)


def test_what_settles_an_activity() -> None:
    # A ringing call alone does not: its end may be what was lost.
    assert {
        "message.received", "message.delivered", "message.undelivered", "message.failed",
        "call.completed",
    } == SETTLING_EVENTS  # fmt: skip
