"""The fast pass's decisions: which conversations listed since the last pass need their
messages and calls read, and where the next pass resumes.

A person's STOP is almost always the last activity of their conversation, so comparing each
conversation's `lastActivityId` with what the topics already hold finds a lost one for the
price of one listing request per 100 conversations.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from smsbus.contracts.rest import Conversation

SKEW: Final = timedelta(seconds=10)
"""Margin for our clock against OpenPhone's and for updates in the same millisecond."""


@dataclass(frozen=True)
class FastPlan:
    read: list[Conversation]
    """Last activity unseen and older than the grace: read its messages and calls."""
    waiting: list[Conversation]
    """Last activity unseen but younger than the grace: its webhook may be on its way."""
    watermark: datetime
    """`updatedAfter` of the next pass."""

    @property
    def unseen(self) -> int:
        return len(self.read) + len(self.waiting)


def first_watermark(*, now: datetime, lookback: timedelta) -> datetime:
    return now - lookback


def plan_fast_pass(
    conversations: Iterable[Conversation],
    *,
    seen: Set[str],
    listed_at: datetime,
    now: datetime,
    grace: timedelta,
) -> FastPlan:
    """`seen`: the activity ids whose settling event is on the topics; `listed_at`: our clock
    when the listing began. The next pass lists from `listed_at` (less SKEW), or from the
    oldest conversation still waiting, so that a conversation updated while this listing ran
    (its page already served) or one left waiting is listed again."""
    read: dict[str, Conversation] = {}
    waiting: dict[str, Conversation] = {}
    cutoff = now - grace
    for conversation in conversations:
        activity, at = conversation.last_activity_id, conversation.last_activity_at
        if activity is None or activity in seen:
            continue
        if at is not None and at > cutoff:
            waiting.setdefault(conversation.id, conversation)
        else:
            read.setdefault(conversation.id, conversation)
    resume = [listed_at - SKEW] + [_changed_at(c) - SKEW for c in waiting.values()]
    return FastPlan(list(read.values()), list(waiting.values()), min(resume))


def read_from(conversation: Conversation, *, watermark: datetime) -> datetime:
    """`createdAfter` for a conversation's messages and calls: everything since the listing's
    start, and at least its last activity."""
    at = conversation.last_activity_at
    return watermark if at is None else min(watermark, at - SKEW)


def _changed_at(waiting: Conversation) -> datetime:
    at = waiting.last_activity_at
    assert at is not None, "only a dated last activity waits"
    return min(at, waiting.updated_at or at)
