"""The classifier's data: the language tables (`lexicon/`) and what every language shares.
Data only, no logic.

Everything here is written in the classifier's normalised form: lower case, accents removed,
apostrophes dropped ("don't" → "dont", "m'envoyer" → "menvoyer"), any other punctuation a single
space. Editing any table changes `CLASSIFIER_VERSION` (it hashes this data), so every ledger entry
says which tables read its message. Bump `RELEASE` with a change of behaviour.

Keywords answer a whole reply ("STOP", "stop please", "Stop!!! 🛑", "STOP STOP"). A *strong*
opt-out keyword also counts first in a reply followed by a code, a name, courtesy or texting
words ("STOP 12345", "stop John", "stop it", "stop all texts") and as a clause of its own inside a
longer message ("Who is this? STOP", "stop, I'm busy"); a weak one ("cancel", "end", "remove")
counts only as the whole reply, because "cancel" after an appointment reminder usually means the
appointment. Phrases are regular expressions searched in each clause; they carry the
plain-language revocations, the how-questions answered with HELP and the restated opt-ins.
"""

from __future__ import annotations

from smsbus.compliance.domain.lexicon.en import ENGLISH
from smsbus.compliance.domain.lexicon.es import SPANISH
from smsbus.compliance.domain.lexicon.fr import FRENCH
from smsbus.compliance.domain.lexicon.table import LanguageTable

__all__ = [
    "CONFUSABLES",
    "ELONGATED",
    "INTERNATIONAL",
    "LAUGHTER",
    "LAUGHTER_EMOJI",
    "LEET",
    "NEGATIONS",
    "NOT_NAMES",
    "RELEASE",
    "STOP_SIGN_EMOJI",
    "TABLES",
    "TEXT_WORDS",
    "TYPOS",
    "LanguageTable",
]

RELEASE = "2026.6"

# Earlier tables win a word two languages share ("fin": Spanish; "info": English).
TABLES: tuple[LanguageTable, ...] = (ENGLISH, SPANISH, FRENCH)

# Keywords texters use in every language ("STOP por favor", "stop merci"): when one decides, the
# reply's language is the one the message's other words show (LanguageTable.markers).
INTERNATIONAL: tuple[str, ...] = ("stop", "stopall", "stop all")

# What names our texts in a stop request ("stop the promos"): such a request stands even in a
# message that asks for texts (LanguageTable.keeps_texts).
TEXT_WORDS: tuple[str, ...] = (
    "text", "texts", "txt", "txts", "texting", "sms", "message", "messages", "msg", "msgs",
    "promo", "promos", "promotions", "marketing", "ads", "deals", "offers", "coupons", "alerts",
    "reminders", "notifications", "mensajes", "textos", "msjs", "ofertas", "promociones",
    "publicidad", "alertas", "recordatorios", "notificaciones", "pubs", "pub", "alertes",
    "rappels",
)  # fmt: skip

# Words that, right before a revocation phrase, turn it around ("don't stop texting me").
NEGATIONS: tuple[str, ...] = ("dont", "do not", "never", "wont", "not", "didnt", "cant",
                              "no need to", "dont need to", "dont have to", "dont want to",
                              "do not want to", "never want to", "didnt mean to", "not going to",
                              "not gonna", "nunca")  # fmt: skip

# Misspellings of keywords, matched with repeated letters collapsed ("staaahp" → "stop").
TYPOS: dict[str, str] = {
    "stahp": "stop", "stpo": "stop", "sotp": "stop", "stap": "stop", "stp": "stop",
    "stop2end": "stop", "stop2quit": "stop", "stoptoend": "stop",
    "unsubcribe": "unsubscribe", "unsuscribe": "unsubscribe", "unsubscibe": "unsubscribe",
    "unsubscrib": "unsubscribe", "unsubsribe": "unsubscribe", "unsusbcribe": "unsubscribe",
    "unsubscirbe": "unsubscribe", "usubscribe": "unsubscribe", "unscubscribe": "unsubscribe",
    "unsbscribe": "unsubscribe", "cancle": "cancel", "remvoe": "remove", "plez": "please",
    "desuscribirse": "desuscribir",
}  # fmt: skip

# Words whose stretched spellings are read as the word ("STOPP", "pleeease", "messsages"); a
# word is only rewritten when it holds a repeated letter, so "al" never becomes "all".
ELONGATED: tuple[str, ...] = (
    "stop", "stopall", "please", "texting", "texts", "messages", "message", "unsubscribe",
    "spam", "quit", "cancel", "all", "off", "remove", "alone", "baja", "basta", "mas", "arret",
    "arrete", "mensajes",
)  # fmt: skip

# Leetspeak digits and signs, folded only in a token that also holds a Latin letter ("st0p",
# "5TOP", "$top"); a number alone ("STOP 12345") is left as it is.
LEET: dict[str, str] = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                        "$": "s"}  # fmt: skip

# Capitalised words after a keyword that are not a name ("Stop By", "Stop Lying").
NOT_NAMES: tuple[str, ...] = (
    "by", "the", "that", "this", "there", "here", "in", "at", "on", "over", "for", "to", "and",
    "or", "with", "now", "me", "my", "you", "your", "we", "us", "he", "she", "they", "it",
    "being", "doing", "what", "who", "why", "when", "if", "lol", "haha",
)  # fmt: skip

# Laughter and delight turn "stop" into banter ("stop 😂", "omg stop lol", "Stop!! We got the
# mortgage 🎉"): the classifier reads these emoji as the word "lol", and no keyword or phrase
# accepts it.
LAUGHTER_EMOJI: str = (
    "\U0001f602\U0001f923\U0001f606\U0001f605\U0001f639"  # laughing faces
    "\U0001f60d\U0001f970\U0001f929\U0001f973\U0001f389"  # heart eyes, hearts, stars, party
)
# The stop sign, the no-entry and the prohibited signs say what the word does: each is read as
# "stop" (alone it is the keyword; "the 🛑 on Main St" stays none, the word not being first or
# alone).
STOP_SIGN_EMOJI: str = "\U0001f6d1\u26d4\U0001f6ab"
# ... and laughter in words (English, Spanish "jaja", French "mdr"): a message that laughs is
# banter, so its keywords count only as the whole reply.
LAUGHTER: str = r"^(?:lol+|lmf?ao+|rofl|jk|(?:ha){2,}h?|(?:ja){2,}j?|(?:he){2,}|mdr)$"

# Look-alike letters from other scripts, folded only in tokens that also hold Latin letters
# ("STOP" spelled with a Cyrillic TE and O); a word wholly in another script is left alone.
# Written as escapes so the table shows which code point each key is.
CONFUSABLES: dict[str, str] = {
    "\u0430": "a",  # cyrillic small letter a
    "\u0432": "b",  # cyrillic small letter ve
    "\u0435": "e",  # cyrillic small letter ie
    "\u043a": "k",  # cyrillic small letter ka
    "\u043c": "m",  # cyrillic small letter em
    "\u043d": "h",  # cyrillic small letter en
    "\u043e": "o",  # cyrillic small letter o
    "\u0440": "p",  # cyrillic small letter er
    "\u0441": "c",  # cyrillic small letter es
    "\u0442": "t",  # cyrillic small letter te
    "\u0443": "y",  # cyrillic small letter u
    "\u0445": "x",  # cyrillic small letter ha
    "\u0455": "s",  # cyrillic small letter dze
    "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
    "\u0458": "j",  # cyrillic small letter je
    "\u0501": "d",  # cyrillic small letter komi de
    "\u051b": "q",  # cyrillic small letter qa
    "\u051d": "w",  # cyrillic small letter we
    "\u03b1": "a",  # greek small letter alpha
    "\u03b2": "b",  # greek small letter beta
    "\u03b5": "e",  # greek small letter epsilon
    "\u03b9": "i",  # greek small letter iota
    "\u03ba": "k",  # greek small letter kappa
    "\u03bd": "v",  # greek small letter nu
    "\u03bf": "o",  # greek small letter omicron
    "\u03c1": "p",  # greek small letter rho
    "\u03c4": "t",  # greek small letter tau
    "\u03c5": "u",  # greek small letter upsilon
    "\u03c7": "x",  # greek small letter chi
}
