"""The local copy of compliance's consent changes (domain/consent.py): the later change wins,
and which of the number's members a revocation moves."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from smsbus.campaigns.domain.consent import (
    Suppression,
    after_revocation,
    record_change,
    revoked_purpose,
)
from smsbus.campaigns.domain.members import Member, Moved
from smsbus.contracts.campaigns import MemberSkipped
from smsbus.runtime.testing import labelled

NOW = datetime(2026, 3, 3, 15, tzinfo=UTC)
RECEIVED = NOW - timedelta(minutes=5)
EARLIER, LATER = RECEIVED - timedelta(hours=1), RECEIVED + timedelta(hours=1)
PHONE = "+12125550123"


def recorded(at: datetime | None, suppressed: bool = False) -> Suppression:
    return Suppression(PHONE, suppressed, at, "e0")


CHANGES = [
    ("nothing recorded: applied", None, True, Suppression(PHONE, True, RECEIVED, "e1")),
    ("an earlier change recorded: applied", recorded(EARLIER), True, Suppression(PHONE, True, RECEIVED, "e1")),
    ("a later change recorded: stale, ignored", recorded(LATER), True, None),
    ("a later revocation recorded, a grant arrives: ignored", recorded(LATER, True), False, None),
    ("the same time: the one arriving last wins", recorded(RECEIVED, True), False, Suppression(PHONE, False, RECEIVED, "e1")),
    ("recorded without a time: applied", recorded(None, True), False, Suppression(PHONE, False, RECEIVED, "e1")),
]  # fmt: skip


@pytest.mark.parametrize(("current", "suppressed", "expected"), labelled(CHANGES))
def test_the_later_change_wins(
    current: Suppression | None, suppressed: bool, expected: Suppression | None
) -> None:
    found = record_change(current, phone=PHONE, suppressed=suppressed, at=RECEIVED, entry_id="e1")
    assert found == expected


SCOPES = [
    ("no scope: every purpose", None, None),
    ("all: every purpose", "all", None),
    ("marketing: its campaigns only", "marketing", "marketing"),
    ("transactional: its campaigns only", "transactional", "transactional"),
    ("an unknown scope: every purpose (the safe side)", "promotions", None),
]


@pytest.mark.parametrize(("scope", "expected"), labelled(SCOPES))
def test_revoked_purpose(scope: str | None, expected: str | None) -> None:
    assert revoked_purpose(scope) == expected


def member(status: str, **fields: object) -> Member:
    return replace(Member("m1", "c1", "k1", PHONE, "A", status), **fields)


SKIPPED = MemberSkipped(member_id="m1", campaign_id="c1", contact_id="k1", phone=PHONE,
                        variant="A", at=NOW, reason="opted_out")  # fmt: skip
REVOCATIONS = [
    ("pending: skipped opted_out, member.skipped", member("pending", next_attempt_at=LATER),
     Moved(member("skipped", reason="opted_out"), (SKIPPED,))),
    ("pending again after a deferral: skipped too", member("pending", reason="a2p"),
     Moved(member("skipped", reason="opted_out"), (SKIPPED,))),
    ("sending: left to the egress's gate", member("sending"), None),
    ("sent: marked opted out at the revocation's time", member("sent", sent_at=EARLIER),
     Moved(member("opted_out", sent_at=EARLIER, opted_out_at=RECEIVED))),
    ("delivered: opted out", member("delivered", sent_at=EARLIER),
     Moved(member("opted_out", sent_at=EARLIER, opted_out_at=RECEIVED))),
    ("responded: opted out, marked", member("responded", sent_at=EARLIER),
     Moved(member("opted_out", sent_at=EARLIER, opted_out_at=RECEIVED))),
    ("already marked: nothing", member("opted_out", sent_at=EARLIER, opted_out_at=EARLIER), None),
    ("failed before a send: nothing", member("failed"), None),
    ("skipped: nothing", member("skipped", reason="dnc"), None),
]  # fmt: skip


@pytest.mark.parametrize(("before", "expected"), labelled(REVOCATIONS))
def test_which_members_a_revocation_moves(before: Member, expected: Moved | None) -> None:
    found = after_revocation([before], received_at=RECEIVED, now=NOW)
    assert found == ([] if expected is None else [expected])


def test_a_revocation_moves_only_the_members_it_changes_in_order() -> None:
    found = after_revocation(
        [member("sending"), replace(member("pending"), id="m2"), member("sent", sent_at=EARLIER)],
        received_at=RECEIVED,
        now=NOW,
    )
    assert [(m.member.id, m.member.status) for m in found] == [
        ("m2", "skipped"),
        ("m1", "opted_out"),
    ]
