"""The retry policy as tables: what is retried, how long we wait, how Retry-After reads."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from smsbus.openphone.transport.retry import (
    Failure,
    RetryPolicy,
    Verdict,
    backoff,
    delay,
    parse_retry_after,
    verdict,
)

NOW = datetime(2026, 4, 13, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failure", "repeatable", "expected"),
    [
        (Failure.NOT_SENT, True, Verdict.RETRY),
        (Failure.NOT_SENT, False, Verdict.RETRY),  # a send that never left: safe to post again
        (Failure.RATE_LIMITED, True, Verdict.RETRY),
        (Failure.RATE_LIMITED, False, Verdict.RETRY),  # 429: OpenPhone did not touch it
        (Failure.NO_ANSWER, True, Verdict.RETRY),
        (Failure.NO_ANSWER, False, Verdict.OUTCOME_UNKNOWN),  # a send that timed out
        (Failure.SERVER_ERROR, True, Verdict.RETRY),
        (Failure.SERVER_ERROR, False, Verdict.OUTCOME_UNKNOWN),  # a send answered 5xx
        (Failure.REFUSED, True, Verdict.GIVE_UP),
        (Failure.REFUSED, False, Verdict.GIVE_UP),
    ],
)
def test_what_is_retried(failure: Failure, repeatable: bool, expected: Verdict) -> None:
    assert verdict(failure, repeatable=repeatable) is expected


POLICY = RetryPolicy(base_delay=0.5, multiplier=2.0, max_delay=3.0, jitter=0.5)


@pytest.mark.parametrize(
    ("retry", "rand", "expected"),
    [
        (1, 0.0, 0.5),
        (2, 0.0, 1.0),
        (3, 0.0, 2.0),
        (4, 0.0, 3.0),  # capped at max_delay
        (9, 0.0, 3.0),
        (1, 0.5, 0.375),  # jitter takes off up to half
        (3, 0.999, 1.001),
    ],
)
def test_exponential_backoff_with_jitter(retry: int, rand: float, expected: float) -> None:
    assert backoff(POLICY, retry, rand) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [(None, 0.5), (0.2, 0.5), (2.0, 2.0), (10.0, 10.0)],
    ids=["no hint", "hint shorter than backoff", "hint longer", "hint beyond max_delay"],
)
def test_retry_after_is_a_floor(retry_after: float | None, expected: float) -> None:
    assert delay(POLICY, 1, 0.0, retry_after) == pytest.approx(expected)


def test_seeded_jitter_gives_the_same_delays() -> None:
    import random

    def run(seed: int) -> list[float]:
        rand = random.Random(seed).random
        return [delay(POLICY, retry, rand(), None) for retry in range(1, 6)]

    assert run(7) == run(7)
    assert run(7) != run(8)


@dataclass(frozen=True)
class RetryAfterCase:
    label: str
    header: str | None
    expected: float | None


RETRY_AFTER_CASES = [
    RetryAfterCase("absent", None, None),
    RetryAfterCase("empty", "  ", None),
    RetryAfterCase("delta seconds", "3", 3.0),
    RetryAfterCase("fractional seconds", "0.25", 0.25),
    RetryAfterCase("zero", "0", 0.0),
    RetryAfterCase("negative", "-1", None),
    RetryAfterCase("not a number", "soon", None),
    RetryAfterCase("NaN", "nan", None),
    RetryAfterCase("HTTP-date ahead", "Mon, 13 Apr 2026 12:00:30 GMT", 30.0),
    RetryAfterCase("HTTP-date passed", "Mon, 13 Apr 2026 11:59:00 GMT", 0.0),
    RetryAfterCase("HTTP-date with offset", "Mon, 13 Apr 2026 14:00:05 +0200", 5.0),
    RetryAfterCase("obsolete RFC 850 date", "Monday, 13-Apr-26 12:01:00 GMT", 60.0),
    RetryAfterCase("date without zone", "Mon, 13 Apr 2026 12:00:30 -0000", None),
]


@pytest.mark.parametrize("case", RETRY_AFTER_CASES, ids=lambda c: c.label)
def test_retry_after_header(case: RetryAfterCase) -> None:
    assert parse_retry_after(case.header, now=NOW) == case.expected


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"jitter": 1.5}, {"jitter": -0.1}], ids=str
)
def test_a_policy_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
