"""What an inbound text asks for: opt_out, opt_in, help or none, and in which language; pure
and deterministic.

Normalise (normalising.py: NFKC, case fold, accents and look-alikes folded, leetspeak in words
with letters, stretched and misspelt keywords mended), then, over the tables in keywords.py:
1. the whole reply is keywords (plus courtesy words, punctuation, emoji, digits, repetition):
   "STOP", "Stop please!!", "stop stop stop", "s t o p", "ARRÊT SVP", "yes please", "HELP?";
   a strong opt-out keyword first may take a code, texting words or a name: "STOP 12345",
   "stop all texts", "stop John";
2. a revocation phrase in any clause: "please quit sending these", "I revoke my consent";
3. a clause that is only a strong opt-out keyword: "Who is this? STOP", "stop, I'm busy", or
   that closes with one after other words: "this is harassment stop" (not "the bus stop",
   "when will it stop", "I can't stop", nor in a message that asks a question);
4. a restated opt-in ("please add me back", "you can text me again"), or a clause that is only
   a restart keyword ("I hit stop by mistake. START");
5. a question about the texts themselves ("what are these texts?", "how often will you text
   me?") or how to stop them ("how do I unsubscribe?"), answered with HELP: it says how, and is
   no request.
A phrase does not count after a negation ("don't stop texting me"), in reported speech ("she
told me to unsubscribe"), after "how do I", in a condition ("if I unsubscribe…") or the sender's
own plan ("I'll stop texting you"); a message that laughs ("stop 😂") is banter, where only the
whole reply counts. A message that asks for texts ("stop calling me, text me instead") or
apologises for its own message sent astray ("wrong number, that was for my sister") stops
nothing of ours unless its request names texts; one that quotes our footer ("reply STOP to opt
out, what does that mean?") opts out of nothing. Anything else is conversation, even when it
contains a keyword ("we can stop at the store", "cancel my order"). The reply's language is the
one of what matched; for an international "STOP" it is the one the other words show ("stop por
favor": Spanish).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Literal

from smsbus.compliance.domain.keywords import (
    CONFUSABLES,
    ELONGATED,
    INTERNATIONAL,
    LAUGHTER,
    LAUGHTER_EMOJI,
    LEET,
    NEGATIONS,
    NOT_NAMES,
    RELEASE,
    TABLES,
    TEXT_WORDS,
    TYPOS,
    LanguageTable,
)
from smsbus.compliance.domain.normalising import collapse, join_spelled_out, normalise

Intent = Literal["opt_out", "opt_in", "help", "none"]
_KeywordKind = Literal["opt_out", "opt_in", "help", "courtesy", "suffix"]
_PhraseKind = Literal[
    "revocation_phrases", "opt_in_phrases", "help_phrases", "keeps_texts", "footer"
]


def _tables_digest(tables: Iterable[LanguageTable]) -> str:
    shared = (NEGATIONS, CONFUSABLES, TYPOS, ELONGATED, LEET, NOT_NAMES, LAUGHTER, LAUGHTER_EMOJI,
              INTERNATIONAL, TEXT_WORDS)  # fmt: skip
    data = repr([asdict(table) for table in tables]) + repr(shared)
    return hashlib.sha256(data.encode()).hexdigest()[:8]


CLASSIFIER_VERSION = f"{RELEASE}-{_tables_digest(TABLES)}"


@dataclass(frozen=True)
class Classification:
    intent: Intent
    matched: str | None
    """The keyword(s) or phrase that decided it, in normalised form; None for `none`."""
    language: str | None
    """The language of what matched (ISO 639-1): the replies are written in it."""
    classifier_version: str = CLASSIFIER_VERSION


NONE = Classification("none", None, None)

# A dash between words ends a clause too ("Stop — I mean it", "stop - now"); a hyphen inside a
# word ("opt-out", "stop-all") does not.
_CLAUSE_END = re.compile(
    r"(?:[.!?;,:()\[\]\n\r\u2026\u3002\uff01\uff1f\u3001\uff0c\u2013\u2014\u2015]|\s-+\s|-{2,})+"
)
_LAUGHTER = re.compile(LAUGHTER)
_RESTARTS = frozenset(word for table in TABLES for word in table.clause_opt_in)
_TEXT_WORDS = frozenset(TEXT_WORDS)
_LONG_RUN = re.compile(r"(\w)\1{2,}")


@dataclass(frozen=True)
class _Entry:
    kind: _KeywordKind
    language: str
    canonical: str
    strong: bool = False


@cache
def _lexicon() -> dict[tuple[str, ...], _Entry]:
    """Collapsed word sequence → what it is. Earlier tables and kinds win a clash."""
    lexicon: dict[tuple[str, ...], _Entry] = {}

    def add(phrases: tuple[str, ...], kind: _KeywordKind, lang: str, strong: bool = False) -> None:
        for phrase in phrases:
            key = tuple(collapse(word) for word in phrase.split())
            lexicon.setdefault(key, _Entry(kind, lang, phrase, strong))

    for table in TABLES:
        add(table.strong_opt_out, "opt_out", table.language, strong=True)
        add(table.weak_opt_out, "opt_out", table.language)
        add(table.opt_in, "opt_in", table.language)
        add(table.help, "help", table.language)
    for table in TABLES:
        add(table.courtesy, "courtesy", table.language)
        add(table.strong_suffixes, "suffix", table.language)
    return lexicon


def _segment(words: list[str]) -> list[_Entry] | None:
    """The words as lexicon entries (longest match first), or None if any word is not one."""
    lexicon = _lexicon()
    longest = max(len(key) for key in lexicon)
    keys = [collapse(word) for word in words if not word.isdigit()]
    entries: list[_Entry] = []
    i = 0
    while i < len(keys):
        for size in range(min(longest, len(keys) - i), 0, -1):
            entry = lexicon.get(tuple(keys[i : i + size]))
            if entry is not None:
                entries.append(entry)
                i += size
                break
        else:
            return None
    return entries


_PRIORITY: tuple[Intent, ...] = ("opt_out", "opt_in", "help")


def _keywords(words: list[str], *, strong_only: bool) -> Classification | None:
    entries = _segment(join_spelled_out(words))
    if not entries:
        return None
    commands = [e for e in entries if e.kind in _PRIORITY]
    if strong_only and not all(e.strong for e in commands):
        return None
    if not commands:
        return None
    if any(e.kind == "suffix" for e in entries) and not any(e.strong for e in commands):
        return None
    for intent in _PRIORITY:
        chosen = [e for e in commands if e.kind == intent]
        if chosen:
            matched = " ".join(dict.fromkeys(e.canonical for e in chosen))
            # "🛑 no más mensajes": the word of a language says more than the international one
            own = [e for e in chosen if e.canonical not in INTERNATIONAL] or chosen
            return Classification(intent, matched, own[0].language)
    return None


def _keyword_then_name(text: str) -> Classification | None:
    """'stop John', 'STOP please, Maria': a strong keyword first, one or two capitalised words
    that are no keyword or common word last (an all-caps reply shows no name: it is read
    whole)."""
    words = unicodedata.normalize("NFKC", text).split()
    for size in (1, 2):
        name = [w.strip(".,!?;:") for w in words[-size:]]
        head = normalise(" ".join(words[:-size])).split()
        if len(words) <= size or not all(_is_name(word) for word in name) or not head:
            continue
        first = _segment(head[:1])
        found = _keywords(head, strong_only=False)
        if first and first[0].strong and found is not None and found.intent == "opt_out":
            return found
    return None


def _is_name(word: str) -> bool:
    folded = normalise(word)
    return (
        word.isalpha()
        and word.istitle()
        and len(word) > 1
        and not folded.endswith("ing")
        and folded not in NOT_NAMES
        and _segment([folded]) is None
    )


@cache
def _phrases(kind: _PhraseKind) -> list[tuple[str, re.Pattern[str]]]:
    return [(t.language, re.compile(p)) for t in TABLES for p in getattr(t, kind)]


@cache
def _guards() -> list[re.Pattern[str]]:
    return [re.compile(guard) for table in TABLES for guard in table.guards]


def _not_own_request(clause: str, start: int) -> bool:
    """Negated ("don't stop texting me"), reported ("she said stop texting her"), asked about
    ("how do I stop these") or conditional ("if I unsubscribe"): not the sender's request."""
    before = clause[:start].split()
    tails = {" ".join(before[-n:]) for n in (1, 2, 3) if len(before) >= n}
    if tails & set(NEGATIONS):
        return True
    prefix = " ".join(before)
    return any(guard.search(prefix) for guard in _guards())


def _phrase(
    clause: str, kind: _PhraseKind, intent: Intent, *, guarded: bool = True
) -> Classification | None:
    for language, pattern in _phrases(kind):
        for match in pattern.finditer(clause):
            if not (guarded and _not_own_request(clause, match.start())):
                return Classification(intent, match.group(0).strip(), language)
    return None


def _closing_keyword(clause: str) -> Classification | None:
    """'this is harassment stop': a strong keyword closing a clause of other words (courtesy
    and texting words may follow it), unless the words before it say it is no request."""
    words = clause.split()
    for table in TABLES:
        tail = set(table.courtesy) | set(table.strong_suffixes)
        end = len(words)
        while end and words[end - 1] in tail:
            end -= 1
        before = words[: end - 1] if end else []
        if not before or words[end - 1] not in table.closing_opt_out:
            continue
        head = " ".join(before)
        if (
            before[-1] in table.closing_not_after
            or set(before[-3:]) & set(table.closing_not_near)
            or _not_own_request(head, len(head))
        ):
            return None
        return Classification("opt_out", words[end - 1], table.language)
    return None


def _opt_in_clause(clause: str) -> Classification | None:
    """'Sorry, I hit stop by mistake. START': a clause that is only a restart keyword."""
    found = _keywords(clause.split(), strong_only=False)
    if found is None or found.intent != "opt_in" or found.matched is None:
        return None
    return found if set(found.matched.split(" ")) <= _RESTARTS else None


def _in_the_message_language(found: Classification, words: list[str]) -> Classification:
    """'STOP por favor', "j'en ai marre de vos textos, stop": decided by an international
    keyword, replied to in the language the message's other words show (ties: the keyword's)."""
    if found.matched not in INTERNATIONAL:
        return found
    counts = {t.language: sum(word in t.markers for word in words) for t in TABLES}
    best = max(counts, key=lambda language: counts[language])
    if counts[best] > counts.get(found.language or "", 0):
        return replace(found, language=best)
    return found


def classify(text: str) -> Classification:
    """The intent of one inbound message."""
    found = _classify(text)
    if found.intent == "opt_out" and _has_clause(text, "footer"):
        # "It says reply STOP to opt out, what does that mean?" asks about our footer; a request
        # beside the quote ("…reply STOP to opt out. STOP") still stands
        rest = _classify(". ".join(_clauses(text, without="footer")))
        if rest.intent != "opt_out":
            asks = text.rstrip().endswith(("?", "\uff1f"))
            found = Classification("help", found.matched, found.language) if asks else rest
    elif found.intent == "opt_out" and not _names_texts(found) and _has_clause(text, "keeps_texts"):
        # "Stop calling my work number, text me instead", "sorry, wrong number, that was for
        # my sister": what it stops is not our texts
        return NONE
    return _in_the_message_language(found, normalise(text).split())


def _has_clause(text: str, kind: _PhraseKind) -> bool:
    return len(_clauses(text, without=kind)) < len(_CLAUSE_END.split(text))


def _clauses(text: str, *, without: _PhraseKind) -> list[str]:
    """The message's clauses, but those a phrase of `without` matches."""
    patterns = [pattern for _, pattern in _phrases(without)]
    return [c for c in _CLAUSE_END.split(text) if not any(p.search(normalise(c)) for p in patterns)]


def _names_texts(found: Classification) -> bool:
    return not _TEXT_WORDS.isdisjoint((found.matched or "").split())


def _classify(text: str) -> Classification:
    words = normalise(text).split()
    # Laughter ("stop 😂", "omg stop lol") makes a bare keyword banter: only the whole reply
    # "stop" counts then, and a phrase ("stop texting me lol") still does.
    banter = any(_LAUGHTER.match(word) for word in words)
    found = _keywords(words, strong_only=False) or (None if banter else _keyword_then_name(text))
    if found is not None:
        return found
    clauses = [_LONG_RUN.sub(r"\1", normalise(c)) for c in _CLAUSE_END.split(text)]
    question = text.rstrip().endswith(("?", "\uff1f"))
    layers: list[Callable[[str], Classification | None]] = [
        lambda clause: _phrase(clause, "revocation_phrases", "opt_out"),
        lambda clause: None if banter else _keywords(clause.split(), strong_only=True),
        lambda clause: None if banter or question else _closing_keyword(clause),
        lambda clause: _phrase(clause, "opt_in_phrases", "opt_in"),
        lambda clause: None if question else _opt_in_clause(clause),
        # a how-question is what the guards hold back from the layers above
        lambda clause: _phrase(clause, "help_phrases", "help", guarded=False),
    ]
    for layer in layers:
        for clause in clauses:
            if found := layer(clause):
                return found
    return NONE
