"""Which facts are missing: not seen, old enough, each once, oldest first."""

import pytest

from smsbus.reconciler.domain.facts import Fact
from smsbus.reconciler.domain.judging import count_by_type, missing_facts

from ..builders import a_message, at

MESSAGE = a_message()


def fact(event_type: str, object_id: str, seconds: float) -> Fact:
    return Fact(event_type, object_id, at(seconds), MESSAGE)


RECEIVED_A = fact("message.received", "ACa", 10)
DELIVERED_B = fact("message.delivered", "ACb", 20)
FAILED_C = fact("message.failed", "ACc", 30)
RECEIVED_A_AGAIN = fact("message.received", "ACa", 10)

CASES = [
    ("nothing seen, all old enough", [RECEIVED_A, DELIVERED_B], set(), 100, [RECEIVED_A, DELIVERED_B]),
    ("seen facts are not missing", [RECEIVED_A, DELIVERED_B], {"message.received:ACa"}, 100, [DELIVERED_B]),
    ("everything seen", [RECEIVED_A], {"message.received:ACa"}, 100, []),
    ("younger than the cutoff: not judged", [RECEIVED_A, FAILED_C], set(), 25, [RECEIVED_A]),
    ("exactly at the cutoff: judged", [FAILED_C], set(), 30, [FAILED_C]),
    ("listed twice: once", [RECEIVED_A, RECEIVED_A_AGAIN], set(), 100, [RECEIVED_A]),
    ("oldest first", [FAILED_C, RECEIVED_A, DELIVERED_B], set(), 100, [RECEIVED_A, DELIVERED_B, FAILED_C]),
    ("same object, another type: its own key", [RECEIVED_A, fact("message.delivered", "ACa", 11)], {"message.received:ACa"}, 100, [fact("message.delivered", "ACa", 11)]),
    ("no facts", [], set(), 100, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("label", "facts", "seen", "cutoff", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_missing_facts(
    label: str, facts: list[Fact], seen: set[str], cutoff: float, expected: list[Fact]
) -> None:
    assert missing_facts(facts, seen=seen, since=at(0), cutoff=at(cutoff)) == expected, label


@pytest.mark.parametrize(
    ("since", "expected"),
    [(0, [RECEIVED_A, DELIVERED_B, FAILED_C]), (15, [DELIVERED_B, FAILED_C]), (20, [DELIVERED_B, FAILED_C]), (21, [FAILED_C]), (31, [])],
)  # fmt: skip
def test_a_fact_older_than_what_is_remembered_is_never_judged_missing(
    since: float, expected: list[Fact]
) -> None:
    facts = [FAILED_C, RECEIVED_A, DELIVERED_B]
    assert missing_facts(facts, seen=set(), since=at(since), cutoff=at(100)) == expected


def test_count_by_type() -> None:
    facts = [RECEIVED_A, DELIVERED_B, fact("message.delivered", "ACd", 1)]
    assert count_by_type(facts) == {"message.delivered": 2, "message.received": 1}
