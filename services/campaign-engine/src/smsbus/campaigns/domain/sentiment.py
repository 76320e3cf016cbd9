"""A reply's rough sentiment from a small lexicon: positive, negative or neutral."""

from __future__ import annotations

import re
from typing import Literal

Sentiment = Literal["positive", "negative", "neutral"]

_POSITIVE = frozenset(
    {"yes", "yeah", "yep", "sure", "ok", "okay", "interested", "great", "thanks", "thank",
     "love", "please", "sounds", "good", "perfect", "awesome", "definitely", "absolutely", "call"}
)  # fmt: skip
_NEGATIVE = frozenset(
    {"no", "nope", "not", "never", "stop", "unsubscribe", "remove", "spam", "wrong", "busy",
     "later", "annoying", "don't", "dont", "quit", "cancel"}
)  # fmt: skip
_WORD = re.compile(r"[a-z']+")


def label(text: str) -> Sentiment:
    words = _WORD.findall(text.lower())
    score = sum(w in _POSITIVE for w in words) - sum(w in _NEGATIVE for w in words)
    if "not interested" in text.lower():
        score -= 2
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"
