"""How the classifier reads a text before it looks for anything: NFKC, case folded, accents and
look-alike letters folded, leetspeak in words with letters, apostrophes dropped, other
punctuation a space, misspelt and stretched keywords mended ("staaahp" → "stop"). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from smsbus.compliance.domain.keywords import (
    CONFUSABLES,
    ELONGATED,
    LAUGHTER_EMOJI,
    LEET,
    STOP_SIGN_EMOJI,
    TYPOS,
)

_APOSTROPHES = re.compile(r"(?<=\w)['\u2019\u02bc`\u00b4](?=\w)")
_LAUGHTER_EMOJI = re.compile(f"[{LAUGHTER_EMOJI}]")
_STOP_SIGN_EMOJI = re.compile(f"[{STOP_SIGN_EMOJI}]")
_WRONG_NUMBER_SIGN = re.compile(r"\b(wrong|incorrect)\s*#", re.IGNORECASE)
_ANY_RUN = re.compile(r"(\w)\1+")


@lru_cache(maxsize=4096)  # pure: each message is normalised whole, then clause by clause
def normalise(text: str) -> str:
    """Lower case, no accents or look-alikes, apostrophes dropped, other punctuation a space,
    misspelt and stretched keywords mended."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width, BOM
    text = _STOP_SIGN_EMOJI.sub(" stop ", _LAUGHTER_EMOJI.sub(" lol ", text))
    text = _WRONG_NUMBER_SIGN.sub(r"\1 number", text)  # "wrong #"
    text = _APOSTROPHES.sub("", text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() or ch in LEET else " " for ch in text).split()
    folded = (_fold_lookalikes(word) for word in words)
    return " ".join(_mend(word) for word in folded if word)


def _fold_lookalikes(word: str) -> str:
    if any("a" <= ch <= "z" for ch in word):
        return "".join(CONFUSABLES.get(ch, LEET.get(ch, ch)) for ch in word)
    return "".join(ch for ch in word if ch.isalnum())


def collapse(word: str) -> str:
    """'stoooppp' → 'stop': repeated letters are one (used on keywords and words alike)."""
    return _ANY_RUN.sub(r"\1", word)


@cache
def _spellings() -> tuple[dict[str, str], dict[str, str]]:
    """Misspellings and stretched words, keyed by their collapsed form."""
    typos = {collapse(wrong): right for wrong, right in TYPOS.items()}
    return typos, {collapse(word): word for word in ELONGATED}


def _mend(word: str) -> str:
    typos, stretched = _spellings()
    collapsed = collapse(word)
    if collapsed in typos:
        return typos[collapsed]
    return stretched.get(collapsed, word) if collapsed != word else word


def join_spelled_out(words: list[str]) -> list[str]:
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
