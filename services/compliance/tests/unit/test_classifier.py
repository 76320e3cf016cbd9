"""The classifier's labelled corpus: what must be read as a request, and what must not.

Each case is (text, expected intent, expected language). False negatives (a request we miss) and
false positives (conversation read as STOP) are both failures.
"""

import re

import pytest

from smsbus.compliance.domain.classifier import CLASSIFIER_VERSION, classify, normalise

OPT_OUT, OPT_IN, HELP, NONE = "opt_out", "opt_in", "help", "none"

CARRIER_KEYWORDS = [
    ("STOP", OPT_OUT, "en"),
    ("stop", OPT_OUT, "en"),
    ("Stop", OPT_OUT, "en"),
    ("sToP", OPT_OUT, "en"),
    ("  STOP  ", OPT_OUT, "en"),
    ("STOP.", OPT_OUT, "en"),
    ("Stop!", OPT_OUT, "en"),
    ("STOP!!!!!", OPT_OUT, "en"),
    ('"STOP"', OPT_OUT, "en"),
    ("*stop*", OPT_OUT, "en"),
    ("STOPALL", OPT_OUT, "en"),
    ("Stop all", OPT_OUT, "en"),
    ("STOP ALL", OPT_OUT, "en"),
    ("stop-all", OPT_OUT, "en"),
    ("UNSUBSCRIBE", OPT_OUT, "en"),
    ("Unsubscribe.", OPT_OUT, "en"),
    ("CANCEL", OPT_OUT, "en"),
    ("Cancel.", OPT_OUT, "en"),
    ("END", OPT_OUT, "en"),
    ("end", OPT_OUT, "en"),
    ("QUIT", OPT_OUT, "en"),
    ("Quit!", OPT_OUT, "en"),
    ("REVOKE", OPT_OUT, "en"),
    ("OPTOUT", OPT_OUT, "en"),
    ("OPT OUT", OPT_OUT, "en"),
    ("Opt-Out", OPT_OUT, "en"),
    ("opt out.", OPT_OUT, "en"),
    ("START", OPT_IN, "en"),
    ("Start", OPT_IN, "en"),
    ("UNSTOP", OPT_IN, "en"),
    ("YES", OPT_IN, "en"),
    ("Yes!", OPT_IN, "en"),
    ("yes please", OPT_IN, "en"),
    ("HELP", HELP, "en"),
    ("help?", HELP, "en"),
    ("Help!", HELP, "en"),
    ("INFO", HELP, "en"),
    ("info please", HELP, "en"),
]

DECORATION = [
    ("Stop please", OPT_OUT, "en"),
    ("please stop", OPT_OUT, "en"),
    ("STOP PLEASE!!", OPT_OUT, "en"),
    ("Stop, thanks", OPT_OUT, "en"),
    ("Stop. Thank you", OPT_OUT, "en"),
    ("stop thank you!", OPT_OUT, "en"),
    ("Stop 🛑", OPT_OUT, "en"),
    ("🛑🛑 STOP 🛑🛑", OPT_OUT, "en"),
    ("STOP 😡😡😡", OPT_OUT, "en"),
    ("👎 stop", OPT_OUT, "en"),
    ("Stop 🙏🏽", OPT_OUT, "en"),
    ("stop stop stop", OPT_OUT, "en"),
    ("STOP STOP", OPT_OUT, "en"),
    ("Stooooop", OPT_OUT, "en"),
    ("STOPPPPP", OPT_OUT, "en"),
    ("s t o p", OPT_OUT, "en"),
    ("S.T.O.P.", OPT_OUT, "en"),
    ("Stop it", OPT_OUT, "en"),
    ("stop it now!", OPT_OUT, "en"),
    ("quit it", OPT_OUT, "en"),
    ("STOP NOW", OPT_OUT, "en"),
    ("Stop all texts", OPT_OUT, "en"),
    ("stop texting", OPT_OUT, "en"),
    ("Unsubscribe me", OPT_OUT, "en"),
    ("unsubscribe me please", OPT_OUT, "en"),
    ("Ok stop", OPT_OUT, "en"),
    ("Hi, stop please", OPT_OUT, "en"),
    ("cancel please", OPT_OUT, "en"),
    ("END.", OPT_OUT, "en"),
    ("end end end", OPT_OUT, "en"),
    ("STOP 12345", OPT_OUT, "en"),
    ("STOP\nSent from my iPhone", OPT_OUT, "en"),
    ("Who is this? STOP", OPT_OUT, "en"),
    ("I don't know you. Stop.", OPT_OUT, "en"),
    ("Stop!! Who gave you this number", OPT_OUT, "en"),
    ("stop help", OPT_OUT, "en"),
    ("Start please", OPT_IN, "en"),
    ("unstop!", OPT_IN, "en"),
    ("Yes sir", OPT_IN, "en"),
    ("HELP!!!", HELP, "en"),
    ("help please", HELP, "en"),
    ("h e l p", HELP, "en"),
]

UNICODE = [
    ("\uff33\uff34\uff2f\uff30", OPT_OUT, "en"),  # full width
    ("\U0001d412\U0001d413\U0001d40e\U0001d40f", OPT_OUT, "en"),  # mathematical bold
    ("\U0001f142\U0001f143\U0001f13e\U0001f13f", OPT_OUT, "en"),  # squared letters
    ("S\u200bTOP", OPT_OUT, "en"),  # zero-width space inside
    ("\ufeffstop", OPT_OUT, "en"),  # byte order mark
    ("S\u0422\u041eP", OPT_OUT, "en"),  # Cyrillic TE and O among Latin letters
    ("ST0P", OPT_OUT, "en"),  # a zero for the O
    ("Stóp", OPT_OUT, "en"),  # an accent
    ("stop\u00a0please", OPT_OUT, "en"),  # no-break space
    ("unsubscribe\u2026", OPT_OUT, "en"),  # ellipsis character
    ("Opt\u2011out", OPT_OUT, "en"),  # non-breaking hyphen
    ("I\u2019d like off this list", OPT_OUT, "en"),  # curly apostrophe
    ("\uff28\uff25\uff2c\uff30", HELP, "en"),  # full width
    ("\u0441\u0442\u043e\u043f", NONE, None),  # Russian "stop": not a table we ship
]

SPANISH_FRENCH = [
    ("PARAR", OPT_OUT, "es"),
    ("parar por favor", OPT_OUT, "es"),
    ("ALTO", OPT_OUT, "es"),
    ("Alto!", OPT_OUT, "es"),
    ("CANCELAR", OPT_OUT, "es"),
    ("cancelar gracias", OPT_OUT, "es"),
    ("BAJA", OPT_OUT, "es"),
    ("Baja por favor", OPT_OUT, "es"),
    ("¡PARAR!", OPT_OUT, "es"),
    ("No me envíen más mensajes", OPT_OUT, "es"),
    ("ya no me escriban", OPT_OUT, "es"),
    ("Dejen de enviarme mensajes", OPT_OUT, "es"),
    ("Quiero darme de baja", OPT_OUT, "es"),
    ("Bórrenme de su lista", OPT_OUT, "es"),
    ("no quiero recibir más mensajes", OPT_OUT, "es"),
    ("AYUDA", HELP, "es"),
    ("ARRET", OPT_OUT, "fr"),
    ("ARRÊT", OPT_OUT, "fr"),
    ("Arrêt SVP", OPT_OUT, "fr"),
    ("arrête", OPT_OUT, "fr"),
    ("ARRET merci", OPT_OUT, "fr"),
    ("Arrêtez de m'envoyer des messages", OPT_OUT, "fr"),
    ("Je veux me désabonner", OPT_OUT, "fr"),
    ("Je ne veux plus recevoir de messages", OPT_OUT, "fr"),
    ("Retirez-moi de votre liste", OPT_OUT, "fr"),
    ("Laissez-moi tranquille", OPT_OUT, "fr"),
    ("AIDE", HELP, "fr"),
    ("¿Puedes venir mañana para revisar la cerca?", NONE, None),
    ("Es para el martes", NONE, None),
    ("El precio está muy alto", NONE, None),
    ("On peut arrêter au magasin en route", NONE, None),
    ("Merci pour le devis", NONE, None),
]

PLAIN_LANGUAGE = [
    ("quit sending these", OPT_OUT, "en"),
    ("Please quit sending these!", OPT_OUT, "en"),
    ("I'd like off this list", OPT_OUT, "en"),
    ("I want off your list", OPT_OUT, "en"),
    ("no more messages please", OPT_OUT, "en"),
    ("No more texts", OPT_OUT, "en"),
    ("no texts please", OPT_OUT, "en"),
    ("done with these texts", OPT_OUT, "en"),
    ("I'm done with your messages", OPT_OUT, "en"),
    ("Please stop texting me", OPT_OUT, "en"),
    ("stop texting me", OPT_OUT, "en"),
    ("Stop messaging me!", OPT_OUT, "en"),
    ("STOP SENDING ME THESE", OPT_OUT, "en"),
    ("Stop sending me messages", OPT_OUT, "en"),
    ("please stop sending", OPT_OUT, "en"),
    ("Can you stop sending me these texts", OPT_OUT, "en"),
    ("quit texting me", OPT_OUT, "en"),
    ("stop contacting me", OPT_OUT, "en"),
    ("Stop bothering me", OPT_OUT, "en"),
    ("stop f*cking texting me", OPT_OUT, "en"),
    ("stop fucking texting me", OPT_OUT, "en"),
    ("Don't text me again", OPT_OUT, "en"),
    ("do not contact me", OPT_OUT, "en"),
    ("Don't text me, call me instead", OPT_OUT, "en"),
    ("Please don't message this number anymore", OPT_OUT, "en"),
    ("Remove me", OPT_OUT, "en"),
    ("remove me from your list", OPT_OUT, "en"),
    ("Please remove me from this list.", OPT_OUT, "en"),
    ("Take me off your list", OPT_OUT, "en"),
    ("take me off the mailing list please", OPT_OUT, "en"),
    ("take me off", OPT_OUT, "en"),
    ("Delete my number", OPT_OUT, "en"),
    ("Lose my number", OPT_OUT, "en"),
    ("remove my number from your system", OPT_OUT, "en"),
    ("Put me off your texting list", OPT_OUT, "en"),
    ("I'd like to be removed from your list", OPT_OUT, "en"),
    ("how do I unsubscribe?", OPT_OUT, "en"),
    ("I want to opt out", OPT_OUT, "en"),
    ("please opt me out", OPT_OUT, "en"),
    ("opt me out of these messages", OPT_OUT, "en"),
    ("Leave me alone", OPT_OUT, "en"),
    ("leave us alone please", OPT_OUT, "en"),
    ("I don't want these texts", OPT_OUT, "en"),
    ("I no longer wish to receive messages", OPT_OUT, "en"),
    ("don't want any more messages", OPT_OUT, "en"),
    ("I never signed up for this", OPT_OUT, "en"),
    ("Wrong number", OPT_OUT, "en"),
    ("You have the wrong number", OPT_OUT, "en"),
    ("I want you to stop", OPT_OUT, "en"),
    ("can you stop?", OPT_OUT, "en"),
    ("Hi, this is Bob. Please stop texting me, I sold the house.", OPT_OUT, "en"),
    ("Thanks for the work last year but no more messages please", OPT_OUT, "en"),
    ("noooo more texts", OPT_OUT, "en"),
    ("Please stop sending reminders", OPT_OUT, "en"),
    ("I would like to unsubscribe", OPT_OUT, "en"),
    ("stop receiving these messages", OPT_OUT, "en"),
]

CONVERSATION = [
    ("we can stop at the supply store on the way", NONE, None),
    ("please cancel Friday's estimate", NONE, None),
    ("see you at the end of the week", NONE, None),
    ("my neighbor quit his job", NONE, None),
    ("could use some help with the gate code", NONE, None),
    ("when can you start?", NONE, None),
    ("This is not a stop message", NONE, None),
    ("stop by the store", NONE, None),
    ("Can you stop by tomorrow?", NONE, None),
    ("We have got to STOP this terrible bill!", NONE, None),
    ("Don't stop the work on the fence", NONE, None),
    ("the water won't stop leaking", NONE, None),
    ("Please stop the crew from parking on the lawn", NONE, None),
    ("Cancel my appointment", NONE, None),
    ("cancel the order", NONE, None),
    ("cancel it", NONE, None),
    ("I need to cancel Tuesday, can we do Thursday?", NONE, None),
    ("The end of the driveway is cracked", NONE, None),
    ("What time does the job end?", NONE, None),
    ("The END", NONE, None),
    ("It was the end of a long day", NONE, None),
    ("He quit smoking", NONE, None),
    ("I quit my job so I'm free anytime", NONE, None),
    ("Help me understand the quote", NONE, None),
    ("Thanks for your help!", NONE, None),
    ("more info on the cedar option?", NONE, None),
    ("Can you send more info about the warranty", NONE, None),
    ("Yes, Friday works", NONE, None),
    ("yes but after 3pm", NONE, None),
    ("Start on Monday?", NONE, None),
    ("You can start the fence whenever", NONE, None),
    ("Remove the old stump too please", NONE, None),
    ("Please take the trash with you", NONE, None),
    ("take the gate off the hinges", NONE, None),
    ("cross it off the list", NONE, None),
    ("Stop sending the invoices to my old email", NONE, None),
    ("don't stop texting me the updates", NONE, None),
    ("I would never unsubscribe, love your deals", NONE, None),
    ("can I opt out of the extended warranty?", NONE, None),
    ("I'll text you when I'm done", NONE, None),
    ("Leave the gate open", NONE, None),
    ("Thanks!", NONE, None),
    ("ok", NONE, None),
    ("👍", NONE, None),
    ("", NONE, None),
    ("   ", NONE, None),
    ("12345", NONE, None),
    ("Who is this?", NONE, None),
    ("stopped by earlier but nobody was home", NONE, None),
    ("the bus stop is right in front", NONE, None),
    ("we need a doorstop", NONE, None),
    ("It's a non-stop week", NONE, None),
    ("The weekend works", NONE, None),
    ("Our front-end loader is broken", NONE, None),
    ("Backend is fine", NONE, None),
    ("Start time 8am?", NONE, None),
    ("Is the helper coming?", NONE, None),
    ("I'll send the info tomorrow", NONE, None),
    ("No more leaks since you fixed it!", NONE, None),
    ("There's no more room in the garage", NONE, None),
    ("I'm done with the paint, you can pick it up", NONE, None),
    ("We are off the list of approved vendors?", NONE, None),
    ("The number on the invoice is wrong", NONE, None),
]

CASES = CARRIER_KEYWORDS + DECORATION + UNICODE + SPANISH_FRENCH + PLAIN_LANGUAGE + CONVERSATION


def test_the_corpus_is_large_and_covers_both_kinds_of_error() -> None:
    assert len(CASES) >= 150
    assert sum(1 for _, intent, _ in CASES if intent == NONE) >= 60
    assert len({text for text, _, _ in CASES}) == len(CASES), "duplicate cases"


@pytest.mark.parametrize(
    ("text", "intent", "language"), CASES, ids=[c[0] or "<empty>" for c in CASES]
)
def test_classify(text: str, intent: str, language: str | None) -> None:
    result = classify(text)

    assert (result.intent, result.language) == (intent, language), result
    assert result.classifier_version == CLASSIFIER_VERSION
    assert (result.matched is None) == (intent == NONE)


def test_the_version_names_the_release_and_a_digest_of_the_tables() -> None:
    assert re.fullmatch(r"\d{4}\.\d+-[0-9a-f]{8}", CLASSIFIER_VERSION)


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("Stop please!!", "stop"),
        ("STOP ALL", "stop all"),
        ("Opt-Out", "opt out"),
        ("ARRÊT", "arret"),
        ("quit sending these", "quit sending these"),
        ("no more messages please", "no more messages"),
        ("stop unsubscribe", "stop unsubscribe"),
    ],
)
def test_matched_names_what_decided(text: str, matched: str) -> None:
    assert classify(text).matched == matched


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("I\u2019d like OFF this list!!", "id like off this list"),
        ("ARRÊTEZ de m'envoyer", "arretez de menvoyer"),
        ("S\u0422\u041eP", "stop"),
        ("\uff33\uff34\uff2f\uff30\u200b", "stop"),
        ("stop🛑now", "stop now"),
    ],
)
def test_normalise(text: str, normalised: str) -> None:
    assert normalise(text) == normalised
