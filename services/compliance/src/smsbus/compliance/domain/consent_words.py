"""Other names callers give a consent's type and source, and ours for them.

CRM exports and older systems say `explicit` consent from a `website_signup`; the ledger keeps
one vocabulary (TCPA's express/implied; sms, web, import, api, manual), so a synonym is read as
our word and the caller's own word is kept with the entry's proof (`source_as_given`). Words
are matched as written here (the API documents each as an accepted value).
"""

from __future__ import annotations

from typing import Final

CONSENT_TYPES: Final[dict[str, str]] = {
    "express": "express",
    "explicit": "express",
    "express_written": "express",
    "prior_express_written": "express",
    "written": "express",
    "implied": "implied",
    "implicit": "implied",
}

SOURCES: Final[dict[str, str]] = {
    "sms": "sms", "text": "sms", "text_message": "sms", "keyword": "sms", "sms_keyword": "sms",
    "web": "web", "website": "web", "website_signup": "web", "web_form": "web",
    "online_form": "web", "signup_form": "web", "landing_page": "web", "checkout": "web",
    "import": "import", "csv": "import", "csv_import": "import", "bulk_import": "import",
    "upload": "import", "api": "api", "integration": "api", "crm": "api",
    "manual": "manual", "in_person": "manual", "verbal": "manual", "phone_call": "manual",
    "paper_form": "manual", "in_store": "manual",
}  # fmt: skip


def our_consent_type(word: str) -> str:
    """Ours for a caller's consent type; the word itself when it is none we know (refused
    then by the field's own check, which names ours)."""
    return CONSENT_TYPES.get(word, word)


def our_source(word: str) -> str:
    """Ours for a caller's source; the word itself when it is none we know."""
    return SOURCES.get(word, word)
