"""The member status machine: moves only forward by rank; terminal states stay put.

pending < sending (intent recorded) < sent < delivered < responded; failed, undelivered,
opted_out and skipped are terminal. A provider status for a message we have not recorded yet
is parked and applied when the send is recorded (DESIGN.md §3).
"""

from __future__ import annotations

from typing import Literal

MemberStatus = Literal[
    "pending", "sending", "sent", "delivered", "responded",
    "failed", "undelivered", "opted_out", "skipped",
]  # fmt: skip

RANK: dict[str, int] = {"pending": 0, "sending": 1, "sent": 2, "delivered": 3, "responded": 4}
TERMINAL: frozenset[str] = frozenset({"failed", "undelivered", "opted_out", "skipped"})
# A provider's message status → ours.
FROM_PROVIDER: dict[str, MemberStatus] = {
    "message.delivered": "delivered",
    "message.undelivered": "undelivered",
    "message.failed": "failed",
}


def advance(current: str, incoming: str) -> str:
    """The status after `incoming` arrives in `current`; regressions and late news are ignored.

    A failure only counts before delivery (a late `failed` cannot undo a `delivered`); a reply
    wins over everything but opted_out.
    """
    if current in TERMINAL or current == incoming:
        return current
    if incoming in TERMINAL:
        if incoming in ("failed", "undelivered") and RANK[current] >= RANK["delivered"]:
            return current
        return incoming
    return incoming if RANK[incoming] > RANK[current] else current


def is_active(status: str) -> bool:
    return status not in TERMINAL
