"""What each fact does to a member (domain/members.py): its state after, and the events, as
labelled cases."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from smsbus.campaigns.domain import egress
from smsbus.campaigns.domain.members import (
    Member,
    Moved,
    Parked,
    after_not_sent,
    after_reply,
    after_send_failed,
    after_sent,
    after_status,
)
from smsbus.contracts.campaigns import MemberFailed, MemberResponded, MemberSent, MemberSkipped
from smsbus.runtime.testing import labelled

NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)
EARLIER = NOW - timedelta(hours=1)
LATER = NOW + timedelta(hours=2)
M = Member("m1", "c1", "k1", "+12125550123", "A", "sending", segments=2, encoding="UCS-2")
SENT = replace(M, status="sent", message_id="AC1", sent_at=EARLIER)
IDS = {"member_id": "m1", "campaign_id": "c1", "contact_id": "k1", "phone": "+12125550123", "variant": "A"}  # fmt: skip


def failed(reason: str, at: datetime = NOW, message_id: str | None = "AC1") -> MemberFailed:
    return MemberFailed(**IDS, at=at, reason=reason, message_id=message_id)


STATUSES = [
    ("delivered after sent: delivered, stamped", SENT, "delivered",
     Moved(replace(SENT, status="delivered", delivered_at=NOW))),
    ("failed after sent: failed, member.failed", SENT, "failed",
     Moved(replace(SENT, status="failed", failed_at=NOW, reason="failed"), (failed("failed"),))),
    ("undelivered after sent: undelivered, member.failed", SENT, "undelivered",
     Moved(replace(SENT, status="undelivered", failed_at=NOW, reason="undelivered"),
           (failed("undelivered"),))),
    ("failed after delivered: late news, nothing", replace(SENT, status="delivered"), "failed",
     Moved(replace(SENT, status="delivered"))),
    ("delivered twice: the first time kept", replace(SENT, status="delivered", delivered_at=EARLIER),
     "delivered", Moved(replace(SENT, status="delivered", delivered_at=EARLIER))),
    ("delivered after a reply: stamped, still responded", replace(SENT, status="responded"),
     "delivered", Moved(replace(SENT, status="responded", delivered_at=NOW))),
    ("delivered after an opt-out: nothing", replace(SENT, status="opted_out"), "delivered",
     Moved(replace(SENT, status="opted_out"))),
]  # fmt: skip


@pytest.mark.parametrize(("member", "status", "expected"), labelled(STATUSES))
def test_after_status(member: Member, status: str, expected: Moved) -> None:
    assert after_status(member, status, NOW) == expected


def sent_event(recovered: bool = False) -> MemberSent:
    return MemberSent(**IDS, at=NOW, message_id="AC1", line="PN1", segments=2, encoding="UCS-2",
                      recovered=recovered)  # fmt: skip


SENDS = [
    ("nothing parked: sent, member.sent", M, (), False,
     Moved(replace(M, status="sent", message_id="AC1", sent_at=NOW), (sent_event(),))),
    ("recovered send: says so", M, (), True,
     Moved(replace(M, status="sent", message_id="AC1", sent_at=NOW, recovered=True),
           (sent_event(recovered=True),))),
    ("delivered parked: applied at its own time", M, (Parked("delivered", EARLIER),), False,
     Moved(replace(M, status="delivered", message_id="AC1", sent_at=NOW, delivered_at=EARLIER),
           (sent_event(),))),
    ("failed parked without a time: failed at the send's", M, (Parked("failed", None),), False,
     Moved(replace(M, status="failed", message_id="AC1", sent_at=NOW, failed_at=NOW, reason="failed"),
           (sent_event(), failed("failed")))),
    ("delivered then failed parked: the failure is late news", M,
     (Parked("delivered", NOW), Parked("failed", LATER)), False,
     Moved(replace(M, status="delivered", message_id="AC1", sent_at=NOW, delivered_at=NOW),
           (sent_event(),))),
]  # fmt: skip


@pytest.mark.parametrize(("member", "parked", "recovered", "expected"), labelled(SENDS))
def test_after_sent(
    member: Member, parked: tuple[Parked, ...], recovered: bool, expected: Moved
) -> None:
    found = after_sent(
        member, message_id="AC1", line="PN1", at=NOW, recovered=recovered, parked=parked
    )
    assert found == expected


def test_segments_and_encoding_unknown_are_one_gsm_segment() -> None:
    plain = replace(M, segments=None, encoding=None)
    (event,) = after_sent(plain, message_id="AC1", line="PN1", at=NOW, recovered=False).events
    assert isinstance(event, MemberSent)
    assert (event.segments, event.encoding) == (1, "GSM-7")


REPLIES = [
    ("first reply to a sent member: responded, positive", SENT, "Yes please!", "positive",
     replace(SENT, status="responded")),
    ("reply after delivery: responded", replace(SENT, status="delivered"), "ok", None,
     replace(SENT, status="responded")),
    ("reply after an opt-out: recorded, still opted out", replace(SENT, status="opted_out"),
     "why", None, replace(SENT, status="opted_out")),
]  # fmt: skip


@pytest.mark.parametrize(("member", "text", "sentiment", "after"), labelled(REPLIES))
def test_after_reply(member: Member, text: str, sentiment: str | None, after: Member) -> None:
    moved = after_reply(member, message_id="AC9", text=text, at=NOW)
    assert moved is not None
    label = moved.member.reply_sentiment
    if sentiment is not None:
        assert label == sentiment
    expected = replace(after, responded_at=NOW, reply_message_id="AC9", reply_text=text,
                       reply_sentiment=label)  # fmt: skip
    assert moved.member == expected
    assert moved.events == (MemberResponded(**IDS, at=NOW, message_id="AC9", sentiment=label),)


def test_only_the_first_reply_counts() -> None:
    responded = replace(SENT, status="responded", responded_at=EARLIER)
    assert after_reply(responded, message_id="AC9", text="again", at=NOW) is None


def test_send_failed_fails_the_member_and_clears_its_next_attempt() -> None:
    waiting = replace(M, next_attempt_at=LATER)
    moved = after_send_failed(waiting, reason="invalid_number", at=NOW)
    assert moved.member == replace(
        M, status="failed", reason="invalid_number", failed_at=NOW, next_attempt_at=None
    )
    assert moved.events == (failed("invalid_number", message_id=None),)


NOT_SENT = [
    ("gate refused the person: skipped, member.skipped", egress.Skip("dnc"),
     replace(M, status="skipped", reason="dnc"), (MemberSkipped(**IDS, at=NOW, reason="dnc"),), None, "refused"),
    ("campaign inactive: pending, due now", egress.Requeue(NOW, "campaign_inactive"),
     replace(M, status="pending", reason="campaign_inactive", next_attempt_at=NOW), (), None, "requeued"),
    ("line cap: pending till tomorrow, campaign runs", egress.Requeue(LATER, egress.LINE_DAILY_CAP),
     replace(M, status="pending", reason="line_daily_cap", next_attempt_at=LATER), (), None, "capped"),
    ("account problem: pending, campaign paused", egress.Requeue(NOW, "a2p", pause="a2p"),
     replace(M, status="pending", reason="a2p", next_attempt_at=NOW), (), "a2p", "paused"),
    ("line cap that pauses: counted as paused", egress.Requeue(LATER, egress.LINE_DAILY_CAP, pause="line_daily_cap"),
     replace(M, status="pending", reason="line_daily_cap", next_attempt_at=LATER), (), "line_daily_cap", "paused"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "after", "events", "pause", "outcome"), labelled(NOT_SENT))
def test_after_not_sent(
    action: egress.Requeue | egress.Skip,
    after: Member,
    events: tuple[MemberSkipped, ...],
    pause: str | None,
    outcome: str,
) -> None:
    found = after_not_sent(replace(M, next_attempt_at=EARLIER), action, now=NOW)
    expected_next = after.next_attempt_at if after.status == "pending" else None
    assert found.moved.member == replace(after, next_attempt_at=expected_next)
    assert found.moved.events == events
    assert (found.pause, found.outcome) == (pause, outcome)
