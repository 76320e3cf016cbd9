"""The replies compliance sends, in the language of the message that asked for them: plain,
brand-named, no marketing (CTIA; FCC 24-24). Built-in wording in `wordings.py`; settings
override any part of it per language, checked against what carriers ask of each reply."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from smsbus.compliance.domain.wordings import WORDINGS, Wording

DEFAULT_LANGUAGE = "en"
_TEMPLATES = ("opt_out", "opt_in", "help", "opt_out_marketing", "opt_out_transactional")
_FIELDS = (*_TEMPLATES, "frequency", "help_intro")
_PLACEHOLDERS = {"brand", "support", "frequency", "help_intro"}
# What carriers ask of each reply, as placeholders and words its template must hold.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "opt_out": ("{brand}",),
    "opt_in": ("{brand}", "{frequency}", "STOP"),
    "help": ("{brand}", "{support}", "{frequency}", "STOP"),
    "opt_out_marketing": ("{brand}",),
    "opt_out_transactional": ("{brand}",),
}


class InvalidWording(ValueError):
    """A configured reply that would break a carrier rule or name an unknown placeholder."""


@dataclass(frozen=True)
class Replies:
    """The texts in one language."""

    language: str
    opt_out_confirmation: str
    opt_in_confirmation: str
    help: str
    opt_out_by_purpose: Mapping[str, str] = field(default_factory=dict)
    """The confirmation of a STOP that ended one purpose only, by purpose."""

    def opt_out_of(self, scope: str) -> str:
        """The confirmation of a revocation with this scope (`all`: the usual one)."""
        return self.opt_out_by_purpose.get(scope, self.opt_out_confirmation)


@dataclass(frozen=True)
class ReplyTexts:
    brand: str
    support_contact: str
    wordings: Mapping[str, Wording] = field(default_factory=lambda: WORDINGS)

    def in_language(self, language: str | None) -> Replies:
        """The replies in `language`; English for a language without wording (or none)."""
        chosen = (
            language if language is not None and language in self.wordings else DEFAULT_LANGUAGE
        )
        wording = self.wordings[chosen]
        intro = wording.help_intro.strip()
        values = {
            "brand": self.brand,
            "support": self.support_contact,
            "frequency": wording.frequency,
            "help_intro": f" {intro}" if intro else "",
        }
        return Replies(
            language=chosen,
            opt_out_confirmation=wording.opt_out.format(**values),
            opt_in_confirmation=wording.opt_in.format(**values),
            help=wording.help.format(**values),
            opt_out_by_purpose={
                "marketing": wording.opt_out_marketing.format(**values),
                "transactional": wording.opt_out_transactional.format(**values),
            },
        )


def configured_texts(
    *, brand: str, support_contact: str, overrides: Mapping[str, Mapping[str, str]]
) -> ReplyTexts:
    """The built-in wording with `overrides` ({language: {field: text}}) applied; raises
    InvalidWording naming every problem."""
    wordings = dict(WORDINGS)
    problems: list[str] = []
    for language, fields in overrides.items():
        if language not in wordings:
            problems.append(f"{language}: no built-in wording (known: {', '.join(wordings)})")
            continue
        problems += [
            f"{language}: unknown field {name!r}" for name in sorted(set(fields) - set(_FIELDS))
        ]
        known = {name: text for name, text in fields.items() if name in _FIELDS}
        wordings[language] = replace(wordings[language], **known)
    for language, wording in wordings.items():
        problems += [f"{language}.{problem}" for problem in problems_of(wording)]
    if problems:
        raise InvalidWording("; ".join(problems))
    return ReplyTexts(brand=brand, support_contact=support_contact, wordings=wordings)


def problems_of(wording: Wording) -> list[str]:
    found = []
    for name in _TEMPLATES:
        template = getattr(wording, name)
        used = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        found += [f"{name}: unknown placeholder {{{f}}}" for f in sorted(used - _PLACEHOLDERS)]
        found += [
            f"{name}: must contain {part}" for part in _REQUIRED[name] if part not in template
        ]
    return found
