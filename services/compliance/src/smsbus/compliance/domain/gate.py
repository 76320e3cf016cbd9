"""The egress's gate: may this text leave now? Pure: facts and the clock are passed in.

Evaluated for every send and every re-send, under the number's lock (the same one opt-outs
take), so an opt-out committed before the send is never overtaken:
- the opt-out confirmation goes to a suppressed number (it is the one text they still get);
- an opt-in confirmation or a HELP reply decided before a later opt-out is refused `opted_out`;
- the canary and transactional texts need what eligibility says for transactional, marketing
  what it says for marketing (suppression, DNC lists, express consent…); `suppressed` is
  reported as `opted_out` (revoked for that purpose: under the revocation scope `purpose` a STOP
  to a marketing text refuses marketing and leaves transactional texts open);
- a campaign send whose campaign is no longer running is refused `campaign_inactive`;
- marketing outside the recipient's allowed hours is held until they open (never failed).
Only compliance itself asks for confirmations and HELP replies (`purpose_not_allowed`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from smsbus.compliance.domain import eligibility
from smsbus.compliance.domain.ledger import RevocationScope
from smsbus.contracts.outbound import Purpose
from smsbus.rules.quiet_hours import SendWindow, is_open, locality, next_open

OWN_PURPOSES: frozenset[str] = frozenset({"opt_out_confirmation", "opt_in_confirmation", "help"})
OWN_REQUESTER = "compliance"
CAMPAIGN_PURPOSES: frozenset[str] = frozenset({"transactional", "marketing"})

PRIORITY: dict[str, int] = {
    "opt_out_confirmation": 0,
    "opt_in_confirmation": 0,
    "help": 1,
    "canary": 2,
    "transactional": 3,
    "marketing": 5,
}
"""Lower first; the budget's priority class of each purpose is `BUDGET_CLASS`."""
BUDGET_CLASS: dict[str, Literal["confirmation", "help", "canary", "transactional", "marketing"]] = {
    "opt_out_confirmation": "confirmation",
    "opt_in_confirmation": "confirmation",
    "help": "help",
    "canary": "canary",
    "transactional": "transactional",
    "marketing": "marketing",
}
ANY_TIME = SendWindow(frozenset(range(7)), datetime.min.time(), datetime.max.time())
"""Marketing without a window of its own: only the law's hours apply."""


@dataclass(frozen=True)
class Ask:
    """What the gate needs of one request."""

    purpose: Purpose
    requester: str
    phone: str
    requested_at: datetime
    expires_at: datetime | None = None
    window: SendWindow | None = None
    recipient_state: str | None = None


@dataclass(frozen=True)
class Facts:
    """What compliance knows of the number right now."""

    eligibility: eligibility.Facts
    suppressed_at: datetime | None
    consent: str
    """The consent state, as recorded with the send (`opted_in+express`, `suppressed`…)."""


@dataclass(frozen=True)
class Send:
    consent: str


@dataclass(frozen=True)
class Refuse:
    reason: str


@dataclass(frozen=True)
class Hold:
    until: datetime
    reason: str = "outside_window"


Verdict = Send | Refuse | Hold


@dataclass(frozen=True)
class Rules:
    allowed_regions: Collection[str] = ("US", "CA")
    marketing_requires_express_consent: bool = True
    revocation_scope: RevocationScope = "all"
    """How the facts are read: `purpose` lets a STOP to marketing leave transactional open."""


def gate(
    ask: Ask, facts: Facts, *, now: datetime, campaign_running: bool | None, rules: Rules
) -> Verdict:
    """`campaign_running`: None when the request names no campaign."""
    if ask.expires_at is not None and now >= ask.expires_at:
        return Refuse("expired")
    if ask.purpose in OWN_PURPOSES and ask.requester != OWN_REQUESTER:
        return Refuse("purpose_not_allowed")
    refusal = _consent_refusal(ask, facts, rules)
    if refusal is not None:
        return Refuse(refusal)
    if campaign_running is False:
        return Refuse("campaign_inactive")
    if ask.purpose == "marketing":
        where = locality(ask.phone, ask.recipient_state)
        window = ask.window or ANY_TIME
        if not is_open(now, where, window):
            opens = next_open(now, where, window)
            return Refuse("no_send_window") if opens is None else Hold(opens)
    return Send(facts.consent)


def _consent_refusal(ask: Ask, facts: Facts, rules: Rules) -> str | None:
    known = facts.eligibility
    if ask.purpose == "opt_out_confirmation":
        return "invalid" if known.phone is None else None
    if ask.purpose in ("opt_in_confirmation", "help"):
        if known.phone is None:
            return "invalid"
        stale = facts.suppressed_at is not None and facts.suppressed_at > ask.requested_at
        return "opted_out" if stale else None
    purpose: eligibility.Purpose = "marketing" if ask.purpose == "marketing" else "transactional"
    reasons = eligibility.reasons(
        known,
        purpose,
        allowed_regions=rules.allowed_regions,
        marketing_requires_express_consent=rules.marketing_requires_express_consent,
    )
    if not reasons:
        return None
    return "opted_out" if "suppressed" in reasons else reasons[0]
