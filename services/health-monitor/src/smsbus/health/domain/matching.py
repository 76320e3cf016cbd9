"""Which incoming message event decides a pending check.

- `message.delivered` for the canary (its message id, or, while the egress's `send.accepted`
  has not come in yet — another topic, so either may come first — a text carrying the check
  id) → passed;
- `message.received` on the canary number (when it is one of our own lines) whose text carries
  the check id → passed (the incoming copy has its own message id);
- `message.failed` / `message.undelivered` for the canary → failed with OpenPhone's status.

Everything else, including every event for a decided check, decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from smsbus.health.domain.checks import Check, Decision, passed, reported_failed

CANARY_EVENT_TYPES: Final = frozenset(
    {"message.delivered", "message.received", "message.failed", "message.undelivered"}
)
_FAILURES: Final = frozenset({"message.failed", "message.undelivered"})


@dataclass(frozen=True)
class Observed:
    """What the monitor reads of a message event."""

    event_type: str
    message_id: str
    direction: str
    from_: str
    to: tuple[str, ...]
    text: str
    status: str


def may_concern_canary(event_type: str, to: tuple[str, ...] | list[str], canary_to: str) -> bool:
    """The cheap filter for all traffic: only events addressed to the canary number go on."""
    return event_type in CANARY_EVENT_TYPES and canary_to in to


def match(check: Check, event: Observed, *, now: datetime) -> Decision | None:
    if not check.pending or check.to not in event.to:
        return None
    if event.event_type == "message.received":
        return _received(check, event, now)
    if event.direction != "outgoing" or not _same_message(check, event):
        return None
    if event.event_type == "message.delivered":
        return passed(check, event_type=event.event_type, message_id=event.message_id, now=now)
    if event.event_type in _FAILURES:
        return reported_failed(
            check,
            status=event.status,
            event_type=event.event_type,
            message_id=event.message_id,
            now=now,
        )
    return None


def _same_message(check: Check, event: Observed) -> bool:
    if check.message_id is not None:
        return event.message_id == check.message_id
    return check.id in event.text


def _received(check: Check, event: Observed, now: datetime) -> Decision | None:
    if event.direction != "incoming" or check.id not in event.text:
        return None
    if check.line_number is not None and event.from_ != check.line_number:
        return None
    return passed(check, event_type=event.event_type, message_id=event.message_id, now=now)
