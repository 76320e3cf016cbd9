"""Events the compliance service emits when a number's consent changes (`compliance.consent.v1`).

Every event mirrors one entry appended to compliance's consent ledger; a consumer that keeps
its own suppression list applies them in order per number (the partition key).
"""

from typing import Literal

from pydantic import AwareDatetime, Field

from smsbus.contracts.base import OwnEvent

ConsentSource = Literal["sms", "web", "import", "api", "manual"]
ConsentType = Literal["express", "implied"]


class ConsentEvidence(OwnEvent):
    """What the ledger keeps as proof of the request."""

    message_id: str | None = None
    """OpenPhone's message id (`AC…`) when the request came by SMS."""
    text: str | None = None
    """The message text exactly as received, when the request came by SMS."""
    line: str | None = None
    """Our number (E.164) or OpenPhone line id (`PN…`) the message came in on."""
    matched: str | None = None
    """What the classifier matched, e.g. `stop` or `stop texting me`."""
    language: str | None = None
    """ISO 639-1 language of the matched keyword or phrase."""
    details: dict[str, str] = {}
    """Free-form details given by the recording party (a form id, an import file name)."""


class _ConsentChange(OwnEvent):
    entry_id: str = Field(min_length=1)
    """The ledger entry this event mirrors (a UUID)."""
    phone: str = Field(pattern=r"^\+[1-9]\d{1,14}$")
    """The person's number, E.164."""
    scope: str = Field(min_length=1)
    """What the consent covers; `all` unless the person said otherwise."""
    source: ConsentSource
    """How the request reached us."""
    actor: str = Field(min_length=1)
    """Who recorded it: `compliance` for SMS, else the API caller."""
    evidence: ConsentEvidence
    classifier_version: str | None = None
    """The classifier version that read the message, for SMS requests."""
    received_at: AwareDatetime
    """When the person made the request (the message's createdAt for SMS)."""
    recorded_at: AwareDatetime
    """When compliance appended it to the ledger."""


class ConsentRevoked(_ConsentChange):
    """A person revoked consent: send them nothing more (one confirmation aside)."""

    action: Literal["revoked"] = "revoked"


class ConsentGranted(_ConsentChange):
    """A person gave (or restored) consent."""

    action: Literal["granted"] = "granted"
    consent_type: ConsentType
    """`express` (they asked: START, a signed form) or `implied`."""
