"""A canary check's life: sending → sent(message_id) → passed | failed(stage, reason).

`sending` is committed with the send request to compliance's egress (the intent); `sent` once
the egress answered `send.accepted` with OpenPhone's message id; a check ends once, by a
`Decision`, and never changes after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final, Literal

CheckState = Literal["sending", "sent", "passed", "failed"]
Stage = Literal["send", "webhook"]
Outcome = Literal["passed", "failed"]

PENDING: Final[frozenset[str]] = frozenset({"sending", "sent"})
CHECK_ID_FIELD: Final = "{check_id}"
_E164: Final = re.compile(r"^\+[1-9]\d{1,14}$")


@dataclass(frozen=True)
class Check:
    id: str
    line: str
    """Our sending line, `PN…` or E.164, as configured."""
    to: str
    text: str
    state: CheckState
    created_at: datetime
    """When the check was decided on (its intent committed)."""
    deadline_at: datetime
    started_at: datetime | None = None
    """When the send was requested (the round trip counts from it)."""
    message_id: str | None = None
    line_number: str | None = None
    """The line's E.164 number once sent; None when the line is a `PN…` id."""
    finished_at: datetime | None = None
    stage: Stage | None = None
    reason: str | None = None
    event_type: str | None = None
    round_trip_seconds: float | None = None

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    @property
    def timeout(self) -> timedelta:
        return self.deadline_at - self.created_at


@dataclass(frozen=True)
class Decision:
    """How a check ended."""

    check_id: str
    outcome: Outcome
    finished_at: datetime
    message_id: str | None = None
    event_type: str | None = None
    """The event that decided it (`message.delivered`, `send.refused`…; none for an expired
    deadline)."""
    round_trip_seconds: float | None = None
    stage: Stage | None = None
    reason: str | None = None


def canary_text(template: str, check_id: str) -> str:
    if CHECK_ID_FIELD not in template:
        raise ValueError(f"the canary text must contain {CHECK_ID_FIELD}")
    return template.replace(CHECK_ID_FIELD, check_id)


def new_check(
    *, check_id: str, line: str, to: str, template: str, now: datetime, timeout: timedelta
) -> Check:
    return Check(
        id=check_id,
        line=line,
        to=to,
        text=canary_text(template, check_id),
        state="sending",
        created_at=now,
        deadline_at=now + timeout,
        started_at=now,
    )


def sent(check: Check, *, message_id: str, line: str) -> Check:
    """The egress sent the canary from `line` (as requested: `PN…` or E.164). A second answer
    keeps the first id."""
    if not check.pending:
        raise ValueError(f"check {check.id} is already {check.state}")
    return replace(
        check,
        state="sent",
        message_id=check.message_id or message_id,
        # A `PN…` id says nothing about the sender's number in a webhook: no line to match.
        line_number=check.line_number or (line if _E164.match(line) else None),
    )


def passed(check: Check, *, event_type: str, message_id: str, now: datetime) -> Decision:
    since = check.started_at or check.created_at
    return Decision(
        check_id=check.id,
        outcome="passed",
        finished_at=now,
        message_id=check.message_id or message_id,
        event_type=event_type,
        round_trip_seconds=max((now - since).total_seconds(), 0.0),
    )


def send_refused(
    check: Check, *, reason: str, now: datetime, event_type: str | None = None
) -> Decision:
    """The canary did not leave: the egress refused, deferred or failed it (`event_type`)."""
    return Decision(
        check_id=check.id,
        outcome="failed",
        finished_at=now,
        event_type=event_type,
        stage="send",
        reason=reason,
    )


def reported_failed(
    check: Check, *, status: str, event_type: str, message_id: str, now: datetime
) -> Decision:
    """OpenPhone says the canary did not reach the handset: the pipeline works, the send did
    not, so the stage is `send` and OpenPhone's status is the reason."""
    return Decision(
        check_id=check.id,
        outcome="failed",
        finished_at=now,
        message_id=check.message_id or message_id,
        event_type=event_type,
        stage="send",
        reason=f"OpenPhone reported the canary {status} ({event_type})",
    )


def expire(check: Check, *, now: datetime) -> Decision | None:
    """The decision for a pending check whose deadline has passed; None otherwise."""
    if not check.pending or now < check.deadline_at:
        return None
    waited = f"{check.timeout.total_seconds():g} s"
    if check.message_id is None:
        # No result from the egress (compliance down or behind) and nothing came back either.
        reason = f"no send result from the egress and no webhook within {waited}"
        return Decision(check.id, "failed", now, stage="send", reason=reason)
    reason = f"no delivery webhook for {check.message_id} within {waited}"
    return Decision(
        check.id, "failed", now, message_id=check.message_id, stage="webhook", reason=reason
    )


def decided(check: Check, decision: Decision) -> Check:
    """The check as the decision leaves it."""
    if decision.check_id != check.id:
        raise ValueError(f"decision for {decision.check_id} applied to {check.id}")
    return replace(
        check,
        state=decision.outcome,
        message_id=check.message_id or decision.message_id,
        finished_at=decision.finished_at,
        stage=decision.stage,
        reason=decision.reason,
        event_type=decision.event_type,
        round_trip_seconds=decision.round_trip_seconds,
    )
