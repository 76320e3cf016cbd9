"""Replies in the language of the message that asked for them, within carrier rules."""

import pytest

from smsbus.compliance.domain.classifier import classify
from smsbus.compliance.domain.decisions import decide_inbound
from smsbus.compliance.domain.texts import InvalidWording, ReplyTexts, configured_texts
from smsbus.compliance.domain.wordings import WORDINGS

from ..builders import NOW, TEXTS, a_state, an_sms, ids

OPTED_OUT = a_state("opted_out", suppressed=True)
UNKNOWN = a_state()

# (what the person wrote, their state, the reply, how it begins)
CASES = [
    ("STOP", UNKNOWN, "opt_out_confirmation", "Acme Fences: You are unsubscribed"),
    ("please stop texting me", UNKNOWN, "opt_out_confirmation", "Acme Fences: You are unsubscribed"),
    ("no más mensajes", UNKNOWN, "opt_out_confirmation", "Acme Fences: Se ha dado de baja"),
    ("PARAR", UNKNOWN, "opt_out_confirmation", "Acme Fences: Se ha dado de baja"),
    ("Elimíname de la lista", UNKNOWN, "opt_out_confirmation", "Acme Fences: Se ha dado de baja"),
    ("ARRÊT", UNKNOWN, "opt_out_confirmation", "Acme Fences: Vous êtes désabonné"),
    ("Je ne veux plus recevoir de messages", UNKNOWN, "opt_out_confirmation", "Acme Fences: Vous êtes désabonné"),
    ("START", OPTED_OUT, "opt_in_confirmation", "Acme Fences: You are resubscribed"),
    ("sí", OPTED_OUT, "opt_in_confirmation", "Acme Fences: Se ha vuelto a suscribir"),
    ("ALTA", OPTED_OUT, "opt_in_confirmation", "Acme Fences: Se ha vuelto a suscribir"),
    ("oui", OPTED_OUT, "opt_in_confirmation", "Acme Fences: Vous êtes réabonné"),
    ("HELP", UNKNOWN, "help", "Acme Fences: Texts about your jobs"),
    ("AYUDA", UNKNOWN, "help", "Acme Fences: Mensajes sobre sus trabajos"),
    ("¿Cómo me doy de baja?", UNKNOWN, "help", "Acme Fences: Mensajes sobre sus trabajos"),
    ("aide", OPTED_OUT, "help", "Acme Fences: Messages sur vos travaux"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "state", "kind", "begins"), CASES, ids=[c[0] for c in CASES])
def test_the_reply_is_in_the_language_of_the_message(text: str, state: object, kind: str, begins: str) -> None:  # fmt: skip
    decision = decide_inbound(an_sms(text), classify(text), state, texts=TEXTS, now=NOW, new_id=ids())  # type: ignore[arg-type]  # fmt: skip

    assert decision.reply is not None
    assert (decision.reply.kind, decision.reply.text[: len(begins)]) == (kind, begins)


@pytest.mark.parametrize("language", sorted(WORDINGS))
def test_every_language_says_what_carriers_ask(language: str) -> None:
    replies = TEXTS.in_language(language)
    stop = {"en": "STOP", "es": "PARAR", "fr": "ARRET"}[language]
    assert replies.language == language
    assert replies.opt_out_confirmation.startswith("Acme Fences: ")
    assert "START" in replies.opt_out_confirmation or "ALTA" in replies.opt_out_confirmation
    for text in (replies.opt_in_confirmation, replies.help):
        assert text.startswith("Acme Fences:")
        assert "STOP" in text
        assert stop in text
    assert "help@acme.test" in replies.help
    assert TEXTS.wordings[language].frequency in replies.help


def test_the_keywords_a_reply_names_are_read_in_its_language() -> None:
    for language, (stop, start, help_) in {"en": ("STOP", "START", "HELP"), "es": ("PARAR", "ALTA", "AYUDA"), "fr": ("ARRET", "START", "AIDE")}.items():  # fmt: skip
        assert (classify(stop).intent, classify(start).intent, classify(help_).intent) == ("opt_out", "opt_in", "help")  # fmt: skip
        assert classify(help_).language in (language, "en")


def test_english_replies_fit_one_segment_and_unknown_languages_get_english() -> None:
    english = TEXTS.in_language("en")
    assert max(len(english.opt_out_confirmation), len(english.opt_in_confirmation), len(english.help)) <= 160  # fmt: skip
    assert TEXTS.in_language(None) == english
    assert TEXTS.in_language("de") == english


def test_overrides_replace_one_part_of_one_language() -> None:
    texts = configured_texts(
        brand="Acme",
        support_contact="555-0100",
        overrides={"es": {"help_intro": "Citas y presupuestos.", "frequency": "2 msjs/mes"}},
    )
    assert texts.in_language("es").help.startswith("Acme: Citas y presupuestos. Ayuda: 555-0100. 2 msjs/mes.")  # fmt: skip
    assert texts.in_language("fr") == ReplyTexts("Acme", "555-0100").in_language("fr")


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"es": {"opt_out": "Baja hecha."}}, "es.opt_out: must contain {brand}"),
        ({"fr": {"help": "{brand}: aide {support} {frequency}"}}, "fr.help: must contain STOP"),
        ({"en": {"opt_in": "{brand}: back. Reply STOP to opt out."}}, "en.opt_in: must contain {frequency}"),
        ({"en": {"opt_out": "{brand} {shop}"}}, "en.opt_out: unknown placeholder {shop}"),
        ({"de": {"opt_out": "{brand}"}}, "de: no built-in wording"),
        ({"es": {"signature": "x"}}, "es: unknown field 'signature'"),
    ],
)  # fmt: skip
def test_a_reply_that_breaks_a_carrier_rule_is_refused(overrides: dict, problem: str) -> None:
    with pytest.raises(InvalidWording, match=problem.replace("{", r"\{").replace("}", r"\}")):
        configured_texts(brand="Acme", support_contact="555-0100", overrides=overrides)
