"""The classifier's labelled corpus: what must be read as a request, and what must not.

Each case is (text, expected intent, expected language). False negatives (a request we miss) and
false positives (conversation read as STOP) are both failures. Most cases live as data in
`classifier_corpus/*.txt` (`intent | language | text`, by class); the ones whose whitespace or
code points matter are written here with escapes. One harness runs them all.
"""

import re
from pathlib import Path

import pytest

from smsbus.compliance.domain.classifier import CLASSIFIER_VERSION, classify
from smsbus.compliance.domain.normalising import normalise

OPT_OUT, OPT_IN, HELP, NONE = "opt_out", "opt_in", "help", "none"
CORPUS = Path(__file__).parent / "classifier_corpus"


def read_corpus(path: Path) -> list[tuple[str, str, str | None]]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            intent, language, text = (part.strip() for part in line.split("|", 2))
            cases.append((text, intent, None if language == "-" else language))
    return cases


DATA = [case for path in sorted(CORPUS.glob("*.txt")) for case in read_corpus(path)]

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
    ("  STOP  ", OPT_OUT, "en"),
    ("\tstop\n", OPT_OUT, "en"),
    ("STOP\nSent from my iPhone", OPT_OUT, "en"),
    ("\uff33\uff34\uff2f\uff30\uff01", OPT_OUT, "en"),  # full width, with "!"
    ("\uff33\uff34\uff2f\uff30 \uff21\uff2c\uff2c", OPT_OUT, "en"),  # full width STOP ALL
    ("\uff30\uff21\uff32\uff21\uff32", OPT_OUT, "es"),  # full width PARAR
    ("\uff21\uff2c\uff34\uff21", OPT_IN, "es"),  # full width ALTA
    ("\uff21\uff39\uff35\uff24\uff21", HELP, "es"),  # full width AYUDA
    ("\u00a0STOP\u00a0", OPT_OUT, "en"),  # no-break spaces around
    ("STOP\u200d", OPT_OUT, "en"),  # zero-width joiner after
    ("\u203c\ufe0fSTOP\u203c\ufe0f", OPT_OUT, "en"),  # emoji double exclamation
    ("\u00abARR\u00caT\u00bb", OPT_OUT, "fr"),  # guillemets
    ("\u00c1LTA", OPT_IN, "es"),  # an accent where none belongs
    ("PARAR\n\nEnviado desde mi iPhone", OPT_OUT, "es"),
    ("", NONE, None),
    ("   ", NONE, None),
]


CASES = DATA + UNICODE


def test_the_corpus_is_large_and_covers_both_kinds_of_error() -> None:
    assert len(CASES) >= 400
    assert sum(1 for _, intent, _ in CASES if intent == NONE) >= 200
    assert {language for _, _, language in CASES} == {"en", "es", "fr", None}
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
        ("stop👋now", "stop now"),
        ("🛑now", "stop now"),
    ],
)
def test_normalise(text: str, normalised: str) -> None:
    assert normalise(text) == normalised
