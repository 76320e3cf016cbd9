"""Revocation scope: what a STOP ends (every purpose, or the purpose of the text it answered),
consent replayed per purpose, and the decisions that follow, as tables of labelled cases."""

import pytest

from smsbus.compliance.domain.classifier import classify
from smsbus.compliance.domain.decisions import ConsentRequest, decide_inbound, decide_recorded
from smsbus.compliance.domain.ledger import replay
from smsbus.compliance.domain.revocation import stop_scope

from ..builders import NOW, PERSON, TEXTS, a_state, an_entry, an_sms, ids


@pytest.mark.parametrize(
    ("text", "replied_to", "setting", "scope"),
    [
        ("STOP", "marketing", "all", "all"),
        ("STOP", "transactional", "all", "all"),
        ("STOP", "marketing", "purpose", "marketing"),
        ("stop texting me", "transactional", "purpose", "transactional"),
        ("STOP", None, "purpose", "all"),  # answered nothing we know: unclear is all
        ("STOP ALL", "marketing", "purpose", "all"),
        ("STOPALL", "marketing", "purpose", "all"),
        ("unsubscribe me from everything", "marketing", "purpose", "all"),
        ("PARAR TODO", "marketing", "purpose", "all"),
        ("ARRÊT TOUT", "marketing", "purpose", "all"),
        ("UNSUBSCRIBE", "marketing", "purpose", "marketing"),
        ("stop calling", "canary", "purpose", "all"),  # not a campaign purpose
    ],
)
def test_what_a_stop_ends(text: str, replied_to: str | None, setting: str, scope: str) -> None:
    assert stop_scope(text, replied_to=replied_to, revocation_scope=setting) == scope  # type: ignore[arg-type]


R_ALL = ("revoked", None, "all")
R_MKT = ("revoked", None, "marketing")
R_TRX = ("revoked", None, "transactional")
GE_ALL = ("granted", "express", "all")
GE_MKT = ("granted", "express", "marketing")
GI_ALL = ("granted", "implied", "all")


@pytest.mark.parametrize(
    ("history", "setting", "marketing", "transactional"),
    [
        ([], "purpose", "unknown", "unknown"),
        ([GE_ALL, R_MKT], "purpose", "opted_out", "opted_in"),
        ([GE_ALL, R_MKT], "all", "opted_out", "opted_out"),  # switched back to all: widened
        ([GE_ALL, R_TRX], "purpose", "opted_in", "opted_out"),
        ([R_ALL, GE_MKT], "purpose", "opted_in", "opted_out"),
        ([R_MKT, GI_ALL], "purpose", "opted_out", "opted_in"),  # implied never lifts
        ([R_MKT, R_TRX], "purpose", "opted_out", "opted_out"),
        ([GE_ALL, ("revoked", None, "newsletter")], "purpose", "opted_out", "opted_out"),
    ],
    ids=lambda v: (
        "-".join(f"{a[0][0]}{(a[1] or '-')[0]}{a[2][0]}" for a in v)
        if isinstance(v, list)
        else str(v)
    ),
)
def test_consent_is_replayed_per_purpose(
    history: list[tuple[str, str | None, str]], setting: str, marketing: str, transactional: str
) -> None:
    entries = [
        an_entry(action, consent_type, scope=scope) for action, consent_type, scope in history
    ]

    view = replay(entries, revocation_scope=setting)  # type: ignore[arg-type]

    assert (view.of("marketing").status, view.of("transactional").status) == (
        marketing,
        transactional,
    )


def test_express_consent_is_per_purpose_and_ends_with_that_purposes_revocation() -> None:
    entries = [
        an_entry("granted", "express", scope="all"),
        an_entry("revoked", scope="transactional"),
    ]
    view = replay(entries, revocation_scope="purpose")
    assert (view.of("marketing").express, view.of("transactional").express) == (True, False)
    assert view.status == "opted_out"  # the strictest purpose's


@pytest.mark.parametrize(
    ("label", "text", "replied_to", "state", "scope", "suppression", "reply"),
    [
        (
            "STOP to a marketing text ends marketing, confirmed in its wording",
            "STOP",
            "marketing",
            {},
            "marketing",
            None,
            "marketing",
        ),
        (
            "the same STOP again: evidence only",
            "STOP",
            "marketing",
            {"revoked": frozenset({"marketing"})},
            "marketing",
            None,
            None,
        ),
        (
            "STOP to a reminder after marketing ended: everything ends now",
            "STOP",
            "transactional",
            {"revoked": frozenset({"marketing"})},
            "transactional",
            "suppress",
            "transactional",
        ),
        (
            "STOP ALL after marketing ended",
            "STOP ALL",
            "marketing",
            {"revoked": frozenset({"marketing"})},
            "all",
            "suppress",
            "all",
        ),
        ("STOP out of the blue ends everything", "STOP", None, {}, "all", "suppress", "all"),
    ],
)
def test_a_stop_under_purpose_scope(
    label: str,
    text: str,
    replied_to: str | None,
    state: dict[str, object],
    scope: str,
    suppression: str | None,
    reply: str | None,
) -> None:
    decision = decide_inbound(
        an_sms(text),
        classify(text),
        a_state(**state),
        texts=TEXTS,
        now=NOW,
        new_id=ids(),
        revocation_scope="purpose",
        replied_to=replied_to,
    )

    assert decision.entry is not None, label
    assert (decision.entry.action, decision.entry.scope) == ("revoked", scope)
    assert decision.suppression == suppression
    replies = TEXTS.in_language("en")
    expected = None if reply is None else replies.opt_out_of(reply)
    assert (decision.reply.text if decision.reply else None) == expected
    assert decision.events[0].scope == scope


def test_the_marketing_confirmation_says_what_ends_and_how_to_end_everything() -> None:
    for language, words in (("en", "STOP ALL"), ("es", "PARAR TODO"), ("fr", "ARRET TOUT")):
        text = TEXTS.in_language(language).opt_out_of("marketing")
        assert text.startswith("Acme Fences:")
        assert words in text
        assert stop_scope(words, replied_to="marketing", revocation_scope="purpose") == "all"
        assert classify(words).intent == "opt_out"
        assert len(text) <= 160


def test_start_after_a_marketing_only_stop_restores_every_purpose() -> None:
    state = a_state("opted_out", revoked=frozenset({"marketing"}))

    decision = decide_inbound(
        an_sms("START"),
        classify("START"),
        state,
        texts=TEXTS,
        now=NOW,
        new_id=ids(),
        revocation_scope="purpose",
    )

    assert decision.entry is not None
    assert (decision.entry.action, decision.entry.scope, decision.entry.consent_type) == (
        "granted",
        "all",
        "express",
    )
    assert decision.suppression is None  # nothing was suppressed for every purpose
    assert decision.reply is not None
    assert decision.reply.kind == "opt_in_confirmation"


@pytest.mark.parametrize(
    ("text", "suppressed", "restores"),
    [
        ("YES", False, False),  # may confirm the appointment the open thread asked about
        ("sí", False, False),
        ("START", False, True),
        ("please add me back", False, True),
        ("YES", True, True),  # opted out of everything: no thread is open
    ],
)
def test_a_bare_yes_from_someone_still_texted_answers_the_thread(
    text: str, suppressed: bool, restores: bool
) -> None:
    revoked = frozenset({"marketing", "transactional"} if suppressed else {"marketing"})
    state = a_state("opted_out", suppressed, revoked=revoked)

    decision = decide_inbound(
        an_sms(text), classify(text), state, texts=TEXTS, now=NOW, new_id=ids(),
        revocation_scope="purpose",
    )  # fmt: skip

    assert (decision.entry is not None) == restores
    assert (decision.reply is not None) == restores


@pytest.mark.parametrize(
    ("setting", "asked", "recorded", "suppression"),
    [
        ("all", "marketing", "all", "suppress"),
        ("purpose", "marketing", "marketing", None),
        ("purpose", "all", "all", "suppress"),
    ],
)
def test_a_recorded_revocation_takes_the_scope_that_applies(
    setting: str, asked: str, recorded: str, suppression: str | None
) -> None:
    request = ConsentRequest(
        phone=PERSON,
        action="revoked",
        consent_type=None,
        source="manual",
        scope=asked,
        actor="crm",
        details={},
        received_at=NOW,
    )

    decision = decide_recorded(
        request,
        a_state(),
        now=NOW,
        entry_id="E1",
        revocation_scope=setting,  # type: ignore[arg-type]
    )

    assert decision.entry is not None
    assert decision.entry.scope == recorded
    assert decision.suppression == suppression
    widened = recorded != asked
    assert decision.entry.evidence.details == ({"requested_scope": asked} if widened else {})
