"""What one inbound message changes, given the number's current state: a pure decision.

- opt_out: a revocation entry (always: each request is evidence) with the STOP's scope
  (`revocation.stop_scope`: every purpose, or under the revocation scope `purpose` the purpose
  of the text it answered); if that ends something the number was not opted out of yet,
  confirm once (in the scope's wording); the number is suppressed once every purpose is
  revoked. Nothing new ended: no second confirmation.
- opt_in from a number opted out of anything: an express grant of every purpose, suppression
  lifted, one confirmation. Opted out of nothing: nothing to restore ("YES" may answer a
  question); opted out of one purpose only, a bare YES/SÍ/OUI restores nothing either (it may
  answer the thread still open), START, UNSTOP, SUBSCRIBE… do.
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
from smsbus.compliance.domain.ledger import (
    ALL,
    EVERY_PURPOSE,
    ConsentStatus,
    LedgerEntry,
    RevocationScope,
    effective_scope,
    purposes_of,
    to_event,
)
from smsbus.compliance.domain.revocation import stop_scope
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
    line_number: str | None = None
    """Our number it came in on (E.164), when `line` is the line's `PN…` id."""


@dataclass(frozen=True)
class NumberState:
    status: ConsentStatus
    suppressed: bool
    """Revoked for every purpose (the `suppressions` row)."""
    last_help_at: datetime | None = None
    revoked: frozenset[str] = frozenset()
    """The purposes the number is opted out of (replayed from the ledger)."""

    @property
    def opted_out_of(self) -> frozenset[str]:
        return EVERY_PURPOSE if self.suppressed else self.revoked


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
    revocation_scope: RevocationScope = "all",
    replied_to: str | None = None,
) -> Decision:
    """`replied_to`: the purpose of the last campaign text the person was sent on this line
    (only read under the revocation scope `purpose`)."""
    intent = classification.intent
    replies = texts.in_language(classification.language)  # answer in the asker's language
    if intent == "opt_out":
        scope = stop_scope(sms.text, replied_to=replied_to, revocation_scope=revocation_scope)
        entry = _entry(sms, classification, "revoked", scope=scope, now=now, new_id=new_id)
        ends = purposes_of(scope)
        if ends <= state.opted_out_of:
            return Decision(classification, entry=entry)
        suppress = (ends | state.opted_out_of) == EVERY_PURPOSE and not state.suppressed
        text = replies.opt_out_of(scope)
        reply = _reply(sms, "opt_out_confirmation", text, now, new_id)
        suppression: Suppression | None = "suppress" if suppress else None
        return Decision(classification, entry=entry, suppression=suppression, reply=reply)
    if (
        intent == "opt_in"
        and state.opted_out_of
        and not _answers_open_thread(classification, state)
    ):
        entry = _entry(sms, classification, "granted", scope=ALL, now=now, new_id=new_id)
        reply = _reply(sms, "opt_in_confirmation", replies.opt_in_confirmation, now, new_id)
        lift: Suppression | None = "lift" if state.suppressed else None
        return Decision(classification, entry=entry, suppression=lift, reply=reply)
    if intent == "help" and (
        state.last_help_at is None or now - state.last_help_at >= help_interval
    ):
        return Decision(classification, reply=_reply(sms, "help", replies.help, now, new_id))
    return Decision(classification)


ANSWERS: frozenset[str] = frozenset({"yes", "si", "oui"})
"""Opt-in keywords that also answer questions ("Reply YES to confirm your appointment")."""


def _answers_open_thread(classification: Classification, state: NumberState) -> bool:
    """A bare YES from someone still texted for some purpose (revocation scope `purpose`) may
    answer that thread: it restores nothing. START, UNSTOP, SUBSCRIBE… always do."""
    return not state.suppressed and classification.matched in ANSWERS


def _entry(
    sms: InboundSms,
    classification: Classification,
    action: Literal["granted", "revoked"],
    *,
    scope: str,
    now: datetime,
    new_id: NewId,
) -> LedgerEntry:
    return LedgerEntry(
        entry_id=new_id("entry"),
        phone=sms.phone,
        action=action,
        scope=scope,
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
    request: ConsentRequest,
    state: NumberState,
    *,
    now: datetime,
    entry_id: str,
    revocation_scope: RevocationScope = "all",
) -> Decision:
    """An API-recorded grant or revocation: always an entry; suppression follows the status.

    A revocation is recorded with the scope that applies (`all` under the revocation scope
    `all`; the scope asked is then kept in the details as `requested_scope`). No text is sent:
    confirmations answer a person's own SMS, not an operator's entry.
    """
    granted = request.action == "granted"
    scope, details = request.scope, request.details
    if not granted and (widened := effective_scope(scope, revocation_scope)) != scope:
        scope, details = widened, details | {"requested_scope": request.scope}
    entry = LedgerEntry(
        entry_id=entry_id,
        phone=request.phone,
        action=request.action,
        scope=scope,
        consent_type=(request.consent_type or "express") if granted else None,
        source=request.source,
        actor=request.actor,
        evidence=ConsentEvidence(details=details),
        classifier_version=None,
        received_at=request.received_at,
        recorded_at=now,
    )
    return Decision(RECORDED, entry=entry, suppression=suppression_after(entry, state))


def suppression_after(entry: LedgerEntry, state: NumberState) -> Suppression | None:
    """How the `suppressions` row (revoked for every purpose) follows an entry: added when the
    entry leaves every purpose revoked, lifted when an express grant reopens one."""
    covered = purposes_of(entry.scope)
    if entry.action == "revoked":
        after = state.opted_out_of | covered
        return "suppress" if after == EVERY_PURPOSE and not state.suppressed else None
    if state.suppressed and entry.consent_type == "express":
        return "lift"
    return None


RECORDED = Classification("none", None, None, classifier_version="api")
"""How a change recorded outside SMS (the API, an import) is classified."""
