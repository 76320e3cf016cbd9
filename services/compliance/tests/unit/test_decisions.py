"""decide_inbound: what one message does to a number, as a table of labelled cases."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from smsbus.compliance.domain.classifier import classify
from smsbus.compliance.domain.decisions import ConsentRequest, decide_inbound, decide_recorded

from ..builders import LINE, NOW, PERSON, TEXTS, a_state, an_sms, ids


@dataclass(frozen=True)
class Case:
    label: str
    text: str
    status: str
    suppressed: bool
    expect_entry: str | None
    expect_suppression: str | None
    expect_reply: str | None
    last_help_ago: timedelta | None = None


CASES = [
    Case("STOP from an unknown number: revoked, suppressed, confirmed", "STOP", "unknown", False, "revoked", "suppress", "opt_out_confirmation"),
    Case("plain-language stop from an opted-in number", "please quit sending these", "opted_in", False, "revoked", "suppress", "opt_out_confirmation"),
    Case("STOP again when already suppressed: evidence only, no second confirmation", "stop", "opted_out", True, "revoked", None, None),
    Case("START from a suppressed number: granted, lifted, confirmed", "START", "opted_out", True, "granted", "lift", "opt_in_confirmation"),
    Case("UNSTOP from a suppressed number", "unstop", "opted_out", True, "granted", "lift", "opt_in_confirmation"),
    Case("YES from a number that is not suppressed changes nothing", "yes", "unknown", False, None, None, None),
    Case("START from an opted-in number changes nothing", "START", "opted_in", False, None, None, None),
    Case("thanks from a suppressed number: stays suppressed", "thanks", "opted_out", True, None, None, None),
    Case("a question from a suppressed number: stays suppressed", "when can you start?", "opted_out", True, None, None, None),
    Case("HELP from anyone: the help text", "HELP", "unknown", False, None, None, "help"),
    Case("HELP from a suppressed number: still answered, nothing re-subscribed", "help", "opted_out", True, None, None, "help"),
    Case("HELP within 24 h of the last: silence", "INFO", "unknown", False, None, None, None, timedelta(hours=23)),
    Case("HELP 24 h after the last: answered again", "help", "unknown", False, None, None, "help", timedelta(hours=24)),
    Case("ordinary conversation: nothing", "see you at the end of the week", "opted_in", False, None, None, None),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_decide_inbound(case: Case) -> None:
    last_help = NOW - case.last_help_ago if case.last_help_ago else None
    state = a_state(case.status, case.suppressed, last_help_at=last_help)
    sms = an_sms(case.text)

    decision = decide_inbound(sms, classify(case.text), state, texts=TEXTS, now=NOW, new_id=ids())

    assert (decision.entry.action if decision.entry else None) == case.expect_entry
    assert decision.suppression == case.expect_suppression
    assert (decision.reply.kind if decision.reply else None) == case.expect_reply
    assert len(decision.events) == (1 if case.expect_entry else 0)


def test_a_revocation_keeps_the_evidence_an_audit_needs() -> None:
    sms = an_sms("Stop texting me please")

    decision = decide_inbound(
        sms, classify(sms.text), a_state(), texts=TEXTS, now=NOW, new_id=ids()
    )

    entry = decision.entry
    assert entry is not None
    assert (entry.entry_id, entry.phone, entry.scope, entry.source, entry.actor) == (
        "id-entry",
        PERSON,
        "all",
        "sms",
        "compliance",
    )
    assert entry.evidence.message_id == "AC0001"
    assert entry.evidence.text == "Stop texting me please"
    assert entry.evidence.line == LINE
    assert entry.evidence.matched == "stop"
    assert entry.evidence.language == "en"
    assert entry.classifier_version == classify("x").classifier_version
    assert (entry.received_at, entry.ingested_at, entry.recorded_at) == (
        sms.received_at,
        sms.ingested_at,
        NOW,
    )
    assert decision.reply is not None
    assert (decision.reply.intent_id, decision.reply.phone, decision.reply.line) == (
        "id-reply",
        PERSON,
        LINE,
    )
    event = decision.events[0]
    assert event.phone == PERSON
    assert event.action == "revoked"


def test_the_confirmation_names_the_brand_says_no_more_and_how_to_come_back() -> None:
    text = TEXTS.in_language("en").opt_out_confirmation
    assert text.startswith("Acme Fences:")
    assert "no more messages" in text
    assert "Reply START" in text
    assert len(text) <= 160


def test_the_help_text_has_everything_ctia_asks_for() -> None:
    text = TEXTS.in_language("en").help
    for part in (
        "Acme Fences",
        "help@acme.test",
        "Up to 4 msgs/mo",
        "Msg & data rates may apply",
        "STOP",
    ):
        assert part in text


@pytest.mark.parametrize(
    ("action", "consent_type", "suppressed", "expect"),
    [
        ("granted", "express", False, None),
        ("granted", "express", True, "lift"),
        ("granted", "implied", True, None),
        ("revoked", None, False, "suppress"),
        ("revoked", None, True, None),
    ],
)
def test_decide_recorded(
    action: str, consent_type: str | None, suppressed: bool, expect: str | None
) -> None:
    request = ConsentRequest(
        phone=PERSON,
        action=action,
        consent_type=consent_type,
        source="web",
        scope="all",  # type: ignore[arg-type]
        actor="crm:jane",
        details={"form_id": "F1"},
        received_at=NOW,
    )

    decision = decide_recorded(request, a_state(suppressed=suppressed), now=NOW, entry_id="E1")

    assert decision.suppression == expect
    assert decision.reply is None
    assert decision.entry is not None
    assert decision.entry.evidence.details == {"form_id": "F1"}
