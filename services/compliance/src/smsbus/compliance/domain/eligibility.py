"""May we text this number for this purpose, and if not, every reason why.

Order of the checks (reference/compliance.md §6): the number itself, our own suppression and
do-not-contact lists, then for marketing the national/imported DNC lists and express consent.
A revocation covers every purpose (FCC: until the scope is clarified, treat it as all), unless
the revocation scope is `purpose`: the caller then says `suppressed` for the purposes revoked.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from smsbus.compliance.domain.phones import LineType, PhoneInfo

Purpose = Literal["marketing", "transactional"]
Reason = Literal[
    "invalid",
    "unknown_country",
    "unsupported_country",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "landline",
    "suppressed",
    "internal_dnc",
    "dnc",
    "no_express_consent",
]

_UNTEXTABLE: dict[LineType, Reason] = {
    "toll_free": "toll_free",
    "premium_rate": "premium_rate",
    "shared_cost": "shared_cost",
    "landline": "landline",
    "pager": "landline",
}


@dataclass(frozen=True)
class Facts:
    """What we know about one number; `phone` is None when it did not parse."""

    phone: PhoneInfo | None
    line_type: LineType = "unknown"
    """phonenumbers' line type, or a paid lookup's when we have one."""
    suppressed: bool = False
    internal_dnc: bool = False
    dnc_lists: tuple[str, ...] = ()
    express_consent: bool = False


def reasons(
    facts: Facts,
    purpose: Purpose,
    *,
    allowed_regions: Collection[str],
    marketing_requires_express_consent: bool = True,
) -> list[Reason]:
    """Every reason not to send; empty means the number may be texted for `purpose`."""
    phone = facts.phone
    if phone is None:
        return ["invalid"]
    found: list[Reason] = []
    if not phone.valid:
        found.append("invalid")
    if phone.region is None:
        found.append("unknown_country")
    elif phone.region not in allowed_regions:
        found.append("unsupported_country")
    if facts.line_type in _UNTEXTABLE:
        found.append(_UNTEXTABLE[facts.line_type])
    if facts.suppressed:
        found.append("suppressed")
    if facts.internal_dnc:
        found.append("internal_dnc")
    if purpose == "marketing":
        # Prior express (written) permission exempts a number from the national registry.
        if facts.dnc_lists and not facts.express_consent:
            found.append("dnc")
        if marketing_requires_express_consent and not facts.express_consent:
            found.append("no_express_consent")
    return found
