"""The shape of one language's classifier data. Data only, no logic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LanguageTable:
    language: str
    """ISO 639-1."""
    strong_opt_out: tuple[str, ...]
    """Keywords that stop alone, first in a reply (with codes, names, courtesy, texting words
    after them) or as a sentence of their own ("Who is this? STOP")."""
    weak_opt_out: tuple[str, ...]
    """Keywords that stop only as the whole reply (with courtesy, digits, repetition): "cancel"
    after an appointment reminder usually means the appointment."""
    opt_in: tuple[str, ...]
    help: tuple[str, ...]
    courtesy: tuple[str, ...]
    """Politeness and intensifiers that may surround any keyword without changing what it asks."""
    strong_suffixes: tuple[str, ...]
    """Texting vocabulary that may follow a strong opt-out keyword ("stop it", "stop all texts")."""
    revocation_phrases: tuple[str, ...]
    """Regexes (over one normalised clause) that ask to stop, to be removed, to be left alone,
    or that withdraw consent."""
    help_phrases: tuple[str, ...] = ()
    """Regexes for a question about how to stop *our* texts: answered with the HELP text (which
    says "Reply STOP to opt out"), never read as an opt-out by itself."""
    opt_in_phrases: tuple[str, ...] = ()
    """Regexes that ask to be subscribed again ("please add me back", "opt me back in")."""
    markers: tuple[str, ...] = ()
    """Everyday words that tell a message's language (articles, pronouns, courtesy): when an
    international keyword ("STOP") decided, the reply goes out in the language they show
    ("stop por favor" → Spanish)."""
    keeps_texts: tuple[str, ...] = ()
    """Regexes (over one clause) that show the stop words mean something else: the message asks
    for texts, or apologises for its own message sent to the wrong number. A message holding one
    is no opt-out when what it stops names no texts ("stop calling my work number, text me
    instead", "sorry, wrong number, that was for my sister"; not "stop the promos, texts are
    fine")."""
    footer: tuple[str, ...] = ()
    """Regexes for our own footer quoted ("reply STOP to opt out"): a message quoting it asks
    about it (HELP when it is a question) and opts out of nothing."""
    guards: tuple[str, ...] = ()
    """Regexes over the words before a phrase: when one ends there, the phrase is not the
    sender's own request (reported speech "she told me to", a how-question)."""
    clause_opt_in: tuple[str, ...] = ()
    """Opt-in keywords that also count as a clause of their own in a longer message ("sorry, I
    hit stop by mistake. START"); the others ("yes", "si") only as the whole reply."""
    closing_opt_out: tuple[str, ...] = ()
    """Strong keywords that also count as the last word of a clause of other words ("this is
    harassment stop", "no longer interested please stop"), courtesy and texting words after
    them allowed, unless `closing_not_after` or `closing_not_near` say otherwise."""
    closing_not_after: tuple[str, ...] = ()
    """Words that, right before a closing keyword, make it no request: a noun ("the bus stop",
    "a quick stop"), a verb's object or a plan ("can't stop", "I'll stop", "make it stop")."""
    closing_not_near: tuple[str, ...] = ()
    """Words that, among the three before a closing keyword, make it no request: a clause of
    time or condition ("until the rain stop"), a negation ("don't ever stop")."""
