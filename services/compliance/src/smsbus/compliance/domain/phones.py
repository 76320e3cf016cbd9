"""Phone numbers: E.164, validity, country, number type and time zones, with phonenumbers.

What phonenumbers cannot know it does not say: in the NANP (US, CA, …) mobile and landline
numbers share their ranges, so the line type is `unknown` there unless a paid lookup said more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import phonenumbers
from phonenumbers import PhoneNumberType, ValidationResult, timezone

LineType = Literal[
    "mobile", "landline", "voip", "toll_free", "premium_rate", "shared_cost", "pager",
    "personal", "uan", "voicemail", "unknown",
]  # fmt: skip

_LINE_TYPES: dict[int, LineType] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "unknown",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
_TYPE_NAMES = {
    value: name.lower() for name, value in vars(PhoneNumberType).items() if name.isupper()
}
_NANP = 1
_NANP_GUESSES: frozenset[LineType] = frozenset({"mobile", "landline"})
_NANP_REGIONS = frozenset({"US", "CA"})
_NANP_DIGITS = re.compile(r"^(?:\+1|1)?([2-9]\d{2}[2-9]\d{6})$")
_SEPARATORS = re.compile(r"[\s().\-/]+")


class InvalidPhone(ValueError):
    """Not a phone number we can read; the message says why."""


@dataclass(frozen=True)
class PhoneInfo:
    input: str
    e164: str
    valid: bool
    """The number is in a range that is assigned (phonenumbers' metadata)."""
    possible: bool
    country_code: int
    region: str | None
    """ISO 3166-1 alpha-2, or None when the number belongs to no single region."""
    number_type: str
    """phonenumbers' own name for the range: fixed_line_or_mobile, toll_free, …"""
    line_type: LineType
    """What we can honestly say; `unknown` where phonenumbers would have to guess."""
    time_zones: tuple[str, ...]


def _parse(raw: str, default_region: str) -> phonenumbers.PhoneNumber:
    text = raw.strip()
    if not text:
        raise InvalidPhone("the phone number is empty")
    if len(text) > 40:
        raise InvalidPhone("the phone number is too long")
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {exc}") from None
    # IS_POSSIBLE_LOCAL_ONLY (a 7-digit US number) is not a number we can text.
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        raise InvalidPhone("not a possible phone number (wrong length for its country)")
    return number


def to_e164(raw: str, *, default_region: str = "US") -> str:
    """The number in E.164, from any common format; raises InvalidPhone."""
    # The fast path (DNC files hold millions of plain NANP numbers) gives what parse would.
    fast = _NANP_DIGITS.fullmatch(_SEPARATORS.sub("", raw.strip()))
    if fast and (default_region in _NANP_REGIONS or raw.strip().startswith("+1")):
        return f"+1{fast.group(1)}"
    number = _parse(raw, default_region)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def describe(raw: str, *, default_region: str = "US") -> PhoneInfo:
    """Everything phonenumbers can tell about the number; raises InvalidPhone."""
    number = _parse(raw, default_region)
    kind = phonenumbers.number_type(number)
    line_type = _LINE_TYPES.get(kind, "unknown")
    if number.country_code == _NANP and line_type in _NANP_GUESSES:
        line_type = "unknown"
    zones = tuple(z for z in timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    return PhoneInfo(
        input=raw,
        e164=str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)),
        valid=phonenumbers.is_valid_number(number),
        possible=True,
        country_code=int(number.country_code or 0),
        region=phonenumbers.region_code_for_number(number),
        number_type=_TYPE_NAMES.get(kind, "unknown"),
        line_type=line_type,
        time_zones=zones,
    )


def location(e164: str) -> str | None:
    """Where the number was allocated ("San Francisco, CA"), if phonenumbers knows.

    Its geocoding data takes seconds to import, so only the validation endpoint loads it, on
    its first call; parsing, typing and eligibility never do.
    """
    from phonenumbers import geocoder

    return geocoder.description_for_number(phonenumbers.parse(e164), "en") or None


def normalise_or_keep(raw: str, *, default_region: str = "US") -> str:
    """E.164 when the number reads as one, else the input unchanged (short codes, odd senders)."""
    try:
        return to_e164(raw, default_region=default_region)
    except InvalidPhone:
        return raw.strip()
