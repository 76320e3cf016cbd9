"""The egress: every text to a customer is asked for on `outbound.requests.v1` and answered on
`outbound.results.v1` (DESIGN.md §3a). Compliance owns the egress; nobody else sends.

A request is keyed by the recipient, so it queues behind the person's own STOP; its
`request_id` is the dedupe key (the same id asked twice is one text). The result names the
request and the requester's ids, so the requester can match it without a lookup of its own.
"""

from datetime import time
from typing import Literal

from pydantic import AwareDatetime, Field

from smsbus.contracts.base import OwnEvent

E164 = r"^\+[1-9]\d{1,14}$"

Purpose = Literal[
    "opt_out_confirmation",
    "opt_in_confirmation",
    "help",
    "canary",
    "transactional",
    "marketing",
]
"""Why the text is sent; highest priority first (confirmations are timed by the FCC)."""

DeferralScope = Literal["account", "line"]


class SendWindow(OwnEvent):
    """The requester's own window in the recipient's local time: weekdays (0 = Monday) and
    hours [start, end). The egress narrows it further by the law of where the person is."""

    days: list[int] = Field(default=[0, 1, 2, 3, 4], min_length=1, max_length=7)
    start: time = time(9)
    end: time = time(18)


class SendRequested(OwnEvent):
    """Please send this text; the egress answers with one result per request."""

    request_id: str = Field(min_length=1, max_length=200)
    """Unique per send the requester wants (its dedupe key), e.g. `<member id>:<attempt>`."""
    purpose: Purpose
    requester: str = Field(min_length=1, max_length=60)
    """The asking service (`campaign-engine`, `health-monitor`, `compliance`)."""
    to: str = Field(pattern=E164)
    """The recipient, E.164."""
    line: str = Field(min_length=1, max_length=64)
    """Our sending line: `PN…` id or its E.164 number."""
    text: str = Field(min_length=1, max_length=1600)
    campaign_id: str | None = None
    """Marketing and transactional campaign sends: refused once the campaign is not running."""
    member_id: str | None = None
    window: SendWindow | None = None
    """Marketing: the campaign's window; held outside it and outside the legal hours."""
    recipient_state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    """The state of the person's known address (its quiet hours apply besides the number's)."""
    requested_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    """Not sent after this (a canary past its deadline proves nothing); refused `expired`."""


class _SendResult(OwnEvent):
    request_id: str = Field(min_length=1, max_length=200)
    purpose: Purpose
    requester: str = Field(min_length=1)
    to: str = Field(pattern=E164)
    line: str = Field(min_length=1)
    campaign_id: str | None = None
    member_id: str | None = None
    at: AwareDatetime
    """When the egress decided (its clock)."""


class SendAccepted(_SendResult):
    """OpenPhone has the message: it left, once."""

    outcome: Literal["accepted"] = "accepted"
    message_id: str = Field(min_length=1)
    """OpenPhone's message id (`AC…`); delivery statuses follow on openphone.messages.v1."""
    sent_at: AwareDatetime
    """OpenPhone's createdAt of the message."""
    recovered: bool = False
    """True when the message was found at OpenPhone after an unknown outcome."""
    consent: str = Field(min_length=1)
    """The consent state the gate checked it against (`opted_in`, `express`, `suppressed`…)."""


class SendRefused(_SendResult):
    """The gate refused it: it will never be sent under this request id."""

    outcome: Literal["refused"] = "refused"
    reason: str = Field(min_length=1)
    """`opted_out`, `internal_dnc`, `dnc`, `no_express_consent`, `invalid`, a line type,
    `campaign_inactive`, `expired`, `outside_window` (no window opens)…"""


class SendDeferred(_SendResult):
    """Not sent, and nothing was wrong with the person: the account or the line cannot send
    now (bad key, no credit, A2P registration, the line's daily cap). Ask again later, under a
    new request id; the requester pauses its work until the cause is fixed."""

    outcome: Literal["deferred"] = "deferred"
    reason: str = Field(min_length=1)
    """`openphone_unauthorized`, `openphone_payment_required`, `a2p_not_registered`,
    `line_daily_cap`…"""
    scope: DeferralScope
    retry_at: AwareDatetime | None = None
    """When it may succeed on its own (the line's next day); None: after someone fixes it."""


class SendFailed(_SendResult):
    """OpenPhone refused the message itself (a bad request), or it ran out of attempts."""

    outcome: Literal["failed"] = "failed"
    reason: str = Field(min_length=1)
