"""What one inbound message changes, given the number's current state: a pure decision.

- opt_out: a revocation entry (always: each request is evidence); if the number was not
  suppressed yet, suppress it and confirm once. Already suppressed: no second confirmation.
- opt_in from a suppressed number: an express grant, suppression lifted, one confirmation.
  Not suppressed: nothing to restore ("YES" may answer a question).
- help: the help text, at most once per interval per number, whatever the consent; no change.
Every reply is written in the language the classifier read the message in ("PARAR" → Spanish).
- none: nothing, whoever sends it (a suppressed number that writes "thanks" stays suppressed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from smsbus.compliance.domain.classifier import Classification
from smsbus.compliance.domain.ledger import ALL, ConsentStatus, LedgerEntry, to_event
from smsbus.compliance.domain.texts import ReplyTexts
from smsbus.contracts import ConsentEvidence, ConsentGranted, ConsentRevoked

ReplyKind = Literal["opt_out_confirmation", "opt_in_confirmation", "help"]
Suppression = Literal["suppress", "lift"]
NewId = Callable[[str], str]
"""Gives the id of one thing the decision creates, by purpose ("entry", "reply")."""

ACTOR = "compliance"


@dataclass(frozen=True)
class InboundSms:
    message_id: str
    phone: str
    """The person's number (E.164)."""
    line: str
    """Our line it came in on, as we reply from it: the `PN…` id, else our number."""
    text: str
    received_at: datetime
    """The message's createdAt."""
    ingested_at: datetime
    """When ingest recorded the webhook (the envelope's recorded_at)."""
    dedupe_key: str


@dataclass(frozen=True)
class NumberState:
    status: ConsentStatus
    suppressed: bool
    last_help_at: datetime | None = None


@dataclass(frozen=True)
class ReplyIntent:
    intent_id: str
    kind: ReplyKind
    phone: str
    line: str
    text: str
    created_at: datetime
    trigger_message_id: str | None


@dataclass(frozen=True)
class Decision:
    classification: Classification
    entry: LedgerEntry | None = None
    suppression: Suppression | None = None
    reply: ReplyIntent | None = None

    @property
    def events(self) -> list[ConsentRevoked | ConsentGranted]:
        return [to_event(self.entry)] if self.entry is not None else []


def decide_inbound(
    sms: InboundSms,
    classification: Classification,
    state: NumberState,
    *,
    texts: ReplyTexts,
    now: datetime,
    new_id: NewId,
    help_interval: timedelta = timedelta(hours=24),
) -> Decision:
    intent = classification.intent
    replies = texts.in_language(classification.language)  # answer in the asker's language
    if intent == "opt_out":
        entry = _entry(sms, classification, "revoked", now=now, new_id=new_id)
        if state.suppressed:
            return Decision(classification, entry=entry)
        reply = _reply(sms, "opt_out_confirmation", replies.opt_out_confirmation, now, new_id)
        return Decision(classification, entry=entry, suppression="suppress", reply=reply)
    if intent == "opt_in" and state.suppressed:
        entry = _entry(sms, classification, "granted", now=now, new_id=new_id)
        reply = _reply(sms, "opt_in_confirmation", replies.opt_in_confirmation, now, new_id)
        return Decision(classification, entry=entry, suppression="lift", reply=reply)
    if intent == "help" and (
        state.last_help_at is None or now - state.last_help_at >= help_interval
    ):
        return Decision(classification, reply=_reply(sms, "help", replies.help, now, new_id))
    return Decision(classification)


def _entry(
    sms: InboundSms,
    classification: Classification,
    action: Literal["granted", "revoked"],
    *,
    now: datetime,
    new_id: NewId,
) -> LedgerEntry:
    return LedgerEntry(
        entry_id=new_id("entry"),
        phone=sms.phone,
        action=action,
        scope=ALL,
        consent_type="express" if action == "granted" else None,
        source="sms",
        actor=ACTOR,
        evidence=ConsentEvidence(
            message_id=sms.message_id,
            text=sms.text,
            line=sms.line,
            matched=classification.matched,
            language=classification.language,
        ),
        classifier_version=classification.classifier_version,
        received_at=sms.received_at,
        recorded_at=now,
        ingested_at=sms.ingested_at,
        dedupe_key=sms.dedupe_key,
    )


def _reply(
    sms: InboundSms, kind: ReplyKind, text: str, now: datetime, new_id: NewId
) -> ReplyIntent:
    return ReplyIntent(
        intent_id=new_id("reply"),
        kind=kind,
        phone=sms.phone,
        line=sms.line,
        text=text,
        created_at=now,
        trigger_message_id=sms.message_id,
    )


@dataclass(frozen=True)
class ConsentRequest:
    """Consent recorded through the API (a form, an import, a call with an agent)."""

    phone: str
    action: Literal["granted", "revoked"]
    consent_type: Literal["express", "implied"] | None
    source: Literal["sms", "web", "import", "api", "manual"]
    scope: str
    actor: str
    details: dict[str, str]
    received_at: datetime


def decide_recorded(
    request: ConsentRequest, state: NumberState, *, now: datetime, entry_id: str
) -> Decision:
    """An API-recorded grant or revocation: always an entry; suppression follows the status.

    No text is sent: confirmations answer a person's own SMS, not an operator's entry.
    """
    granted = request.action == "granted"
    entry = LedgerEntry(
        entry_id=entry_id,
        phone=request.phone,
        action=request.action,
        scope=request.scope,
        consent_type=(request.consent_type or "express") if granted else None,
        source=request.source,
        actor=request.actor,
        evidence=ConsentEvidence(details=request.details),
        classifier_version=None,
        received_at=request.received_at,
        recorded_at=now,
    )
    suppression: Suppression | None = None
    if not granted and not state.suppressed:
        suppression = "suppress"
    elif granted and state.suppressed and entry.consent_type == "express":
        suppression = "lift"
    return Decision(_RECORDED, entry=entry, suppression=suppression)


_RECORDED = Classification("none", None, None, classifier_version="api")
