"""What each of the egress's answers does to a member, and which answers count at all."""

from datetime import UTC, datetime, timedelta

import pytest

from smsbus.campaigns.domain.egress import (
    Requeue,
    Skip,
    after_deferral,
    after_refusal,
    is_current,
    request_id,
)
from smsbus.runtime.testing import labelled

NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)
TOMORROW = datetime(2026, 3, 4, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)

REFUSALS = [
    ("campaign paused or cancelled: pending again, now", "campaign_inactive", Requeue(NOW, "campaign_inactive")),
    ("opted out: skipped", "opted_out", Skip("opted_out")),
    ("DNC: skipped", "dnc", Skip("dnc")),
    ("no window opens: skipped", "outside_window", Skip("outside_window")),
    ("a line type: skipped", "landline", Skip("landline")),
]  # fmt: skip


@pytest.mark.parametrize(("reason", "expected"), labelled(REFUSALS))
def test_after_refusal(reason: str, expected: object) -> None:
    assert after_refusal(reason, now=NOW) == expected


DEFERRALS = [
    ("line cap: waits for the line's day, campaign runs", "line_daily_cap", "line", TOMORROW, Requeue(TOMORROW, "line_daily_cap")),
    ("line cap without a time: the next UTC day", "line_daily_cap", "line", None, Requeue(TOMORROW, "line_daily_cap")),
    ("bad key: paused, due now", "openphone_unauthorized", "account", None, Requeue(NOW, "openphone_unauthorized", pause="openphone_unauthorized")),
    ("no credit: paused", "openphone_payment_required", "account", None, Requeue(NOW, "openphone_payment_required", pause="openphone_payment_required")),
    ("A2P with a retry time: paused, due then", "a2p_not_registered", "account", LATER, Requeue(LATER, "a2p_not_registered", pause="a2p_not_registered")),
    ("line cap at account scope: paused", "line_daily_cap", "account", TOMORROW, Requeue(TOMORROW, "line_daily_cap", pause="line_daily_cap")),
    ("another line problem: paused", "line_blocked", "line", None, Requeue(NOW, "line_blocked", pause="line_blocked")),
]  # fmt: skip
EARLIER = NOW - timedelta(minutes=1)
RESUMES = [
    ("never resumed: paused", None, NOW, Requeue(NOW, "openphone_unauthorized", pause="openphone_unauthorized")),
    ("deferred after the last resume: paused again", EARLIER, NOW, Requeue(NOW, "openphone_unauthorized", pause="openphone_unauthorized")),
    ("deferred before the resume (the cause was fixed): asked again, no pause", NOW, EARLIER, Requeue(NOW, "openphone_unauthorized")),
]  # fmt: skip


@pytest.mark.parametrize(("reason", "scope", "retry_at", "expected"), labelled(DEFERRALS))
def test_after_deferral(
    reason: str, scope: str, retry_at: datetime | None, expected: Requeue
) -> None:
    found = after_deferral(
        reason=reason, scope=scope, retry_at=retry_at, now=NOW, decided_at=NOW, resumed_at=None
    )
    assert found == expected
    assert found.at == expected.at  # same instant, whatever the zone object


@pytest.mark.parametrize(("resumed_at", "decided_at", "expected"), labelled(RESUMES))
def test_a_deferral_from_before_the_resume_pauses_nothing(
    resumed_at: datetime | None, decided_at: datetime, expected: Requeue
) -> None:
    found = after_deferral(
        reason="openphone_unauthorized", scope="account", retry_at=None, now=NOW,
        decided_at=decided_at, resumed_at=resumed_at,
    )  # fmt: skip
    assert found == expected


CURRENT = [
    ("the current attempt of a sending member", "m1:2", "m1", 2, "sending", True),
    ("an older attempt", "m1:1", "m1", 2, "sending", False),
    ("a later attempt than recorded", "m1:3", "m1", 2, "sending", False),
    ("another member's request", "m2:2", "m1", 2, "sending", False),
    ("already sent (a repeat)", "m1:2", "m1", 2, "sent", False),
    ("back to pending (a repeat)", "m1:2", "m1", 2, "pending", False),
    ("skipped meanwhile", "m1:2", "m1", 2, "skipped", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("answered", "member_id", "attempts", "status", "expected"), labelled(CURRENT)
)
def test_only_the_current_request_counts(
    answered: str, member_id: str, attempts: int, status: str, expected: bool
) -> None:
    assert (
        is_current(request=answered, member_id=member_id, attempts=attempts, status=status)
        is expected
    )


def test_request_ids_are_member_and_attempt() -> None:
    assert request_id("3f2a", 1) == "3f2a:1"
    assert request_id("3f2a", 2) != request_id("3f2a", 1)
