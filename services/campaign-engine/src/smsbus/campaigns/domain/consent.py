"""compliance's consent changes as the engine keeps them: a local suppression list, so that the
dispatcher skips an opted-out number before it asks the egress (whose gate is the final word).
Pure: the caller loads the number's suppression and members and writes what comes back.

A revocation scoped to one purpose (compliance's revocation scope `purpose`: a STOP to a
marketing text) takes the person out of that purpose's campaigns only and suppresses nothing
locally: eligibility, asked per purpose, and the egress's gate say the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from smsbus.campaigns.domain import status as machine
from smsbus.campaigns.domain.members import Member, Moved, event_fields
from smsbus.contracts.campaigns import MemberSkipped

PURPOSES = ("marketing", "transactional")


@dataclass(frozen=True)
class Suppression:
    """The number's last consent change recorded here."""

    phone: str
    suppressed: bool
    changed_at: datetime | None
    entry_id: str


def revoked_purpose(scope: str | None) -> str | None:
    """The one purpose a revocation names (its campaigns only), or None: every purpose."""
    return scope if scope in PURPOSES else None


def record_change(
    current: Suppression | None, *, phone: str, suppressed: bool, at: datetime, entry_id: str
) -> Suppression | None:
    """The later change wins: the number's suppression after this change, or None when a
    later one is already recorded (the change is stale and changes nothing). Equal times: the
    change arriving last is applied."""
    if current is not None and current.changed_at is not None and current.changed_at > at:
        return None
    return Suppression(phone=phone, suppressed=suppressed, changed_at=at, entry_id=entry_id)


def after_revocation(
    members: Iterable[Member], *, received_at: datetime, now: datetime
) -> list[Moved]:
    """What a revocation does to the number's members in unfinished campaigns; only those it
    changes are returned.

    - pending: skipped `opted_out` (member.skipped), never asked for;
    - sent (and not marked yet): marked opted out at the revocation's time;
    - sending: left to the egress, which holds the final word: its gate (under the number's
      lock) refuses the request `opted_out` and the refused result skips the member; a text
      that had already left comes back accepted and is recorded as sent;
    - finished or already marked: nothing."""
    moved = []
    for member in members:
        if member.status == "pending":
            skipped = replace(member, status="skipped", reason="opted_out", next_attempt_at=None)
            event = MemberSkipped(**event_fields(skipped, now), reason="opted_out")
            moved.append(Moved(skipped, (event,)))
        elif member.sent_at is not None and member.opted_out_at is None:
            marked = replace(
                member,
                opted_out_at=received_at,
                status=machine.advance(member.status, "opted_out"),
            )
            moved.append(Moved(marked))
    return moved
