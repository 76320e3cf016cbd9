"""When to try a request again, and how long to wait first. Pure: no I/O, no clock of its own.

What may be retried depends on whether repeating the request can duplicate an effect:

| what happened                         | GET (repeatable) | POST /v1/messages (not repeatable)  |
|---------------------------------------|------------------|-------------------------------------|
| could not connect (never sent)        | retry            | retry                               |
| 429 (OpenPhone refused it, untouched) | retry            | retry                               |
| sent, no answer (timeout, dropped)    | retry            | outcome unknown: the caller looks up |
| 5xx                                   | retry            | outcome unknown: the caller looks up |
| other 4xx                             | give up          | give up                             |

A 5xx on a send is "unknown" rather than "failed": a 500 from OpenPhone or a 502/504 from a
proxy in front of it may come after the message was created, and OpenPhone has no idempotency key.

The wait before retry n (1-based) is `min(max_delay, base_delay * multiplier**(n-1))`, shortened
by up to `jitter` of itself at random (so callers that failed together do not retry together),
and never shorter than the server's Retry-After.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime


class Failure(enum.Enum):
    NOT_SENT = "not_sent"
    NO_ANSWER = "no_answer"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    REFUSED = "refused"  # any other error status: the same request fails the same way


class Verdict(enum.Enum):
    RETRY = "retry"
    GIVE_UP = "give_up"
    OUTCOME_UNKNOWN = "outcome_unknown"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    """Attempts in all, the first included."""
    base_delay: float = 0.5
    multiplier: float = 2.0
    max_delay: float = 30.0
    jitter: float = 0.5
    """Fraction of the delay that is random: 0.5 waits between half and all of it."""
    max_retry_after: float = 60.0
    """A Retry-After longer than this is not waited for in place: the error goes to the caller."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")


def verdict(failure: Failure, *, repeatable: bool) -> Verdict:
    """What to do about one failed attempt (before counting attempts)."""
    if failure is Failure.REFUSED:
        return Verdict.GIVE_UP
    if failure in (Failure.NOT_SENT, Failure.RATE_LIMITED) or repeatable:
        return Verdict.RETRY
    return Verdict.OUTCOME_UNKNOWN


def backoff(policy: RetryPolicy, retry: int, rand: float) -> float:
    """The wait before retry number `retry` (1-based); `rand` is uniform in [0, 1)."""
    full = min(policy.max_delay, policy.base_delay * policy.multiplier ** (retry - 1))
    return full * (1.0 - policy.jitter * rand)


def delay(policy: RetryPolicy, retry: int, rand: float, retry_after: float | None) -> float:
    wait = backoff(policy, retry, rand)
    return wait if retry_after is None else max(wait, retry_after)


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date; None if absent
    or unreadable. A date in the past means 0."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None  # rejects NaN
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates: RFC 9110 dates are always GMT
        return None
    return max(0.0, (when - now).total_seconds())
