"""What an inbound text asks for: opt_out, opt_in, help or none; pure and deterministic.

Three layers, each over the tables in keywords.py:
1. the whole reply is keywords (plus courtesy words, punctuation, emoji, digits, repetition):
   "STOP", "Stop please!!", "stop stop stop", "s t o p", "ARRÊT SVP", "yes please", "HELP?";
2. a revocation phrase in any clause: "please quit sending these", "I'd like off this list";
3. a sentence that is only a strong opt-out keyword: "Who is this? STOP".
Anything else is conversation, even when it contains a keyword ("we can stop at the store").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from typing import Literal

from smsbus.compliance.domain.keywords import (
    CONFUSABLES,
    NEGATIONS,
    RELEASE,
    TABLES,
    LanguageTable,
)

Intent = Literal["opt_out", "opt_in", "help", "none"]
_KeywordKind = Literal["opt_out", "opt_in", "help", "courtesy", "suffix"]


def _tables_digest(tables: Iterable[LanguageTable]) -> str:
    data = repr([asdict(table) for table in tables]) + repr(NEGATIONS) + repr(CONFUSABLES)
    return hashlib.sha256(data.encode()).hexdigest()[:8]


CLASSIFIER_VERSION = f"{RELEASE}-{_tables_digest(TABLES)}"


@dataclass(frozen=True)
class Classification:
    intent: Intent
    matched: str | None
    """The keyword(s) or phrase that decided it, in normalised form; None for `none`."""
    language: str | None
    classifier_version: str = CLASSIFIER_VERSION


NONE = Classification("none", None, None)

_SENTENCE_END = re.compile(r"[.!?;\n\r\u2026\u3002\uff01\uff1f]+")
_CLAUSE_END = re.compile(r"[.!?;,:()\[\]\n\r\u2026\u3002\uff01\uff1f\u3001\uff0c]+")
_APOSTROPHES = re.compile(r"(?<=\w)['\u2019\u02bc`\u00b4](?=\w)")
_LONG_RUN = re.compile(r"(\w)\1{2,}")
_ANY_RUN = re.compile(r"(\w)\1+")


def normalise(text: str) -> str:
    """Lower case, no accents or look-alikes, apostrophes dropped, other punctuation a space."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width, BOM
    text = _APOSTROPHES.sub("", text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return " ".join(_fold_lookalikes(word) for word in words)


def _fold_lookalikes(word: str) -> str:
    if any("a" <= ch <= "z" for ch in word):
        return "".join(CONFUSABLES.get(ch, ch) for ch in word)
    return word


def _join_spelled_out(words: list[str]) -> list[str]:
    """'s t o p' → 'stop': three or more single letters in a row are one word."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        joined.extend(["".join(run)] if len(run) >= 3 else run)
        run = []
        if word:
            joined.append(word)
    return joined


def _collapse(word: str) -> str:
    """'stoooppp' → 'stop': repeated letters are one (used on keywords and words alike)."""
    return _ANY_RUN.sub(r"\1", word)


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

    def add(phrases: tuple[str, ...], entry: _Entry) -> None:
        for phrase in phrases:
            key = tuple(_collapse(word) for word in phrase.split())
            lexicon.setdefault(key, _Entry(entry.kind, entry.language, phrase, entry.strong))

    for table in TABLES:
        lang = table.language
        add(table.strong_opt_out, _Entry("opt_out", lang, "", strong=True))
        add(table.weak_opt_out, _Entry("opt_out", lang, ""))
        add(table.opt_in, _Entry("opt_in", lang, ""))
        add(table.help, _Entry("help", lang, ""))
    for table in TABLES:
        add(table.courtesy, _Entry("courtesy", table.language, ""))
        add(table.strong_suffixes, _Entry("suffix", table.language, ""))
    return lexicon


@cache
def _longest_entry() -> int:
    return max(len(key) for key in _lexicon())


def _segment(words: list[str]) -> list[_Entry] | None:
    """The words as lexicon entries (longest match first), or None if any word is not one."""
    lexicon, longest = _lexicon(), _longest_entry()
    keys = [_collapse(word) for word in words if not word.isdigit()]
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
    entries = _segment(_join_spelled_out(words))
    if not entries:
        return None
    commands = [e for e in entries if e.kind in _PRIORITY]
    if strong_only:
        commands = [e for e in commands if e.strong]
        if len(commands) != sum(1 for e in entries if e.kind in _PRIORITY):
            return None
    if not commands:
        return None
    has_suffix = any(e.kind == "suffix" for e in entries)
    if has_suffix and not any(e.strong for e in commands):
        return None
    for intent in _PRIORITY:
        chosen = [e for e in commands if e.kind == intent]
        if chosen:
            matched = " ".join(dict.fromkeys(e.canonical for e in chosen))
            return Classification(intent, matched, chosen[0].language)
    return None


@cache
def _phrases() -> list[tuple[str, re.Pattern[str]]]:
    return [(t.language, re.compile(p)) for t in TABLES for p in t.revocation_phrases]


def _negated(clause: str, start: int) -> bool:
    before = clause[:start].split()[-2:]
    tail = (" ".join(before[-1:]), " ".join(before))
    return any(negation in tail for negation in NEGATIONS)


def _revocation_phrase(clause: str) -> Classification | None:
    for language, pattern in _phrases():
        for match in pattern.finditer(clause):
            if not _negated(clause, match.start()):
                return Classification("opt_out", match.group(0).strip(), language)
    return None


def classify(text: str) -> Classification:
    """The intent of one inbound message."""
    whole = _keywords(normalise(text).split(), strong_only=False)
    if whole is not None:
        return whole
    for clause in _CLAUSE_END.split(text):
        found = _revocation_phrase(_LONG_RUN.sub(r"\1", normalise(clause)))
        if found is not None:
            return found
    for sentence in _SENTENCE_END.split(text):
        found = _keywords(normalise(sentence).split(), strong_only=True)
        if found is not None:
            return found
    return NONE
