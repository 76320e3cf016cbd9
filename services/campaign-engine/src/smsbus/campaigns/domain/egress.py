"""The egress's answers (outbound.results.v1) and what each does to a campaign member. Pure.

Every send is asked for under `<member id>:<attempt>`; only the answer to the member's current
request moves it. An answer to an older attempt, a repeated one, or one for a member no longer
`sending` is stale: the member has moved on and the answer changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from smsbus.campaigns.domain.caps import next_day_start

REQUESTER = "campaign-engine"
CAMPAIGN_INACTIVE = "campaign_inactive"
LINE_DAILY_CAP = "line_daily_cap"
MANUAL = "manual"
"""The pause reason of a campaign paused through the API."""


def request_id(member_id: str, attempt: int) -> str:
    """The egress's dedupe key: the same id asked twice is one text; a new attempt is new."""
    return f"{member_id}:{attempt}"


def is_current(*, request: str, member_id: str, attempts: int, status: str) -> bool:
    return status == "sending" and request == request_id(member_id, attempts)


@dataclass(frozen=True)
class Requeue:
    """Not sent, nothing wrong with the person: back to pending (the counts it used given
    back), due at `at`; `pause` pauses the campaign with that reason."""

    at: datetime
    reason: str
    pause: str | None = None


@dataclass(frozen=True)
class Skip:
    """Never sent to this member (the gate refused the person): skipped, counts given back."""

    reason: str


def after_refusal(reason: str, *, now: datetime) -> Requeue | Skip:
    if reason == CAMPAIGN_INACTIVE:
        # Paused or cancelled after the request was made: asked again if it runs again.
        return Requeue(now, reason)
    return Skip(reason)


def after_deferral(
    *,
    reason: str,
    scope: str,
    retry_at: datetime | None,
    now: datetime,
    decided_at: datetime,
    resumed_at: datetime | None,
) -> Requeue:
    """`decided_at`: when the egress deferred it; `resumed_at`: the campaign's last resume."""
    if scope == "line" and reason == LINE_DAILY_CAP:
        # The line's cap for today is spent (all campaigns together): this member waits for the
        # line's next day; the campaign runs on (others may be due on other days or lines).
        return Requeue(retry_at or next_day_start(now, "UTC"), reason)
    if resumed_at is not None and decided_at < resumed_at:
        # Deferred before someone resumed the campaign, having fixed the cause: asked again.
        return Requeue(now, reason)
    # The account cannot send (key, credit, A2P registration): nobody can be sent until
    # someone fixes it, so the campaign stops asking and says why.
    return Requeue(retry_at or now, reason, pause=reason)
