"""What a STOP ends: every purpose, or only the purpose of the text it answered.

Under the revocation scope `all` (the default) a STOP ends every purpose. Under `purpose` it
ends the purpose of the last campaign text (marketing or transactional) the egress sent the
person on the line the STOP came in on, before the STOP; it ends everything when no such text
is known (a STOP out of the blue, a text sent from another line or outside smsbus: the FCC
reads an unclear revocation as covering all) or when the person says so ("STOP ALL",
"unsubscribe from everything", "PARAR TODO", "ARRÊT TOUT"). Carrier keywords are honoured
either way: every STOP, STOPALL, UNSUBSCRIBE… ends at least what was being sent.
"""

from __future__ import annotations

import re
import unicodedata

from smsbus.compliance.domain.ledger import ALL, EVERY_PURPOSE, RevocationScope

EVERYTHING: frozenset[str] = frozenset(
    {"all", "stopall", "everything", "anything", "todo", "todos", "toda", "todas", "tout",
     "tous", "toutes"}
)  # fmt: skip
"""Words that ask for every purpose to end, in English, Spanish and French."""
_WORD = re.compile(r"[a-z]+")


def asks_for_everything(text: str) -> bool:
    """The reply names everything ("STOP ALL", "para todo"), whatever else it says."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return any(word in EVERYTHING for word in _WORD.findall(plain))


def stop_scope(text: str, *, replied_to: str | None, revocation_scope: RevocationScope) -> str:
    """The scope a STOP's revocation is recorded with: `all`, `marketing` or `transactional`.
    `replied_to` is the purpose of the last campaign text sent the person on that line."""
    if revocation_scope == "all" or replied_to is None or replied_to not in EVERY_PURPOSE:
        return ALL
    return ALL if asks_for_everything(text) else replied_to
