"""One request budget per API key, and the order in which its callers are served.

OpenPhone allows 10 requests/s per key, whoever asks. A `Budget` books each request a slot on
the key's schedule: in-process (`TokenBucket`) for a lone client, or shared by every process
and replica through PostgreSQL (`smsbus.runtime.budget.SharedBudget`) for the services.

Priorities are a headroom each: how far ahead the key's schedule may already be booked when a
request of that class asks. Confirmations may queue 30 s deep; marketing only books while the
schedule is less than a second ahead, so bulk work never stands in front of an opt-out
confirmation for more than about a second, whatever its volume.
"""

from __future__ import annotations

from typing import Literal, Protocol

Priority = Literal[
    "confirmation", "help", "canary", "transactional", "reconciliation", "marketing"
]  # fmt: skip
"""Highest first: opt-out/opt-in confirmations (timed by the FCC), HELP replies, the canary,
transactional sends, the reconciler's reads, marketing."""

HEADROOM: dict[Priority, float] = {
    "confirmation": 30.0,
    "help": 15.0,
    "canary": 10.0,
    "transactional": 4.0,
    "reconciliation": 2.0,
    "marketing": 1.0,
}
"""Seconds the schedule may be booked ahead when a request of this class takes its slot."""


class Budget(Protocol):
    async def acquire(self, priority: Priority) -> float:
        """Waits for this request's slot; returns the slot's moment on `time.monotonic()`'s
        clock (a caller with checks to make before its request can keep its spacing)."""
        ...

    async def throttled(self, seconds: float) -> None:
        """OpenPhone answered 429: nobody on this key starts a request for `seconds`."""
        ...
