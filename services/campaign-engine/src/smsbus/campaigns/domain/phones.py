"""Phone numbers to E.164, as phonenumbers decides, with a fast path for the common case.

phonenumbers spends ~30 µs on a number (parse, then a dozen regexes per region to say whether
it is valid): a 1,000,000-row import would spend 30 s on it alone. Most imported numbers are
North American and written in one of a few shapes (`+12125550123`, `2125550123`,
`(212) 555-0123`, `1-212-555-0123`…); for those the digits are read with one regex and
validity is looked up by the number's first digits. That lookup is exact, not a heuristic:
phonenumbers' metadata for country code 1 constrains nothing after the first `depth` digits of
a ten-digit number (`constrained_depth` proves it from the patterns themselves), so the first
number seen with a prefix asks phonenumbers and every later one with that prefix gets the same
answer. Anything else goes to phonenumbers as before."""

from __future__ import annotations

import mmap
import re
import re._parser as sre  # type: ignore[import-not-found]  # the regex parser re uses
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

NANP_REGIONS = frozenset(COUNTRY_CODE_TO_REGION_CODE[1])
NANP_LENGTH = 10
MAX_TABLE_DEPTH = 7
"""10^7 one-byte entries at most (10 MB of address space, resident only where numbers were
looked up); deeper metadata turns the fast path off."""

_AREA_AND_NUMBER = r"(?:\(([2-9]\d\d)\) ?|([2-9]\d\d)[ .-]?)(\d{3})[ .-]?(\d{4})"
_WITH_PLUS_ONE = re.compile(r"\+1[ .-]?" + _AREA_AND_NUMBER)
"""`+1…`: country code 1 whatever the default region."""
_NATIONAL = re.compile(r"(?:1[ .-]?)?" + _AREA_AND_NUMBER)
"""`1…` or the ten digits alone: country code 1 only when the default region is North
American."""


class InvalidPhone(ValueError):
    pass


def normalise(raw: str, *, region: str = "US") -> str:
    """E.164, or InvalidPhone with the reason (exactly phonenumbers' answer)."""
    text = raw.strip()
    if not text:
        raise InvalidPhone("empty phone")
    digits = nanp_digits(text, region=region)
    if digits is not None:
        table = _validity_table()
        if table is not None:
            if table.valid(digits):
                return "+1" + digits
            raise InvalidPhone("not a valid number")
    return normalise_slowly(text, region=region)


def normalise_slowly(text: str, *, region: str) -> str:
    """phonenumbers alone (the reference the fast path is tested against)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def nanp_digits(text: str, *, region: str) -> str | None:
    """The ten digits of a North American number in one of the fast path's shapes, else None."""
    match = _WITH_PLUS_ONE.fullmatch(text)
    if match is None and region in NANP_REGIONS:
        match = _NATIONAL.fullmatch(text)
    if match is None:
        return None
    parenthesised, bare, exchange, line = match.groups()
    return f"{parenthesised or bare}{exchange}{line}"


class ValidityTable:
    """Whether a ten-digit +1 number is valid, remembered per prefix of `depth` digits."""

    UNKNOWN, VALID, INVALID = 0, 1, 2

    def __init__(self, depth: int) -> None:
        self.depth = depth
        # Anonymous memory reads as zeros (UNKNOWN) and takes a page only once written to.
        self._known = mmap.mmap(-1, 10**depth)

    def valid(self, digits: str) -> bool:
        prefix = int(digits[: self.depth])
        known = self._known[prefix]
        if known == self.UNKNOWN:
            number = phonenumbers.PhoneNumber(country_code=1, national_number=int(digits))
            known = self.VALID if phonenumbers.is_valid_number(number) else self.INVALID
            self._known[prefix] = known  # the same answer whichever thread writes it
        return known == self.VALID


@cache
def _validity_table() -> ValidityTable | None:
    depth = nanp_depth()
    return ValidityTable(depth) if depth is not None and depth <= MAX_TABLE_DEPTH else None


def nanp_depth() -> int | None:
    """How many leading digits of a ten-digit +1 number phonenumbers' metadata looks at: every
    pattern validity and the region depend on (each number type's, the region's general
    pattern, its leading digits) constrains no position at or after it. None when a pattern
    uses a construct this reading does not know (the fast path is then off)."""
    try:
        return max(constrained_depth(pattern, length=NANP_LENGTH) for pattern in _nanp_patterns())
    except ValueError:
        return None


def _nanp_patterns() -> Iterator[str]:
    for region in sorted(NANP_REGIONS):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if metadata is None:
            raise ValueError(f"no metadata for {region}")
        if metadata.leading_digits:
            yield metadata.leading_digits
        for value in vars(metadata).values():
            if isinstance(value, phonenumbers.PhoneNumberDesc) and value.national_number_pattern:
                yield value.national_number_pattern


def constrained_depth(pattern: str, *, length: int) -> int:
    """One past the last position (of a string of `length` digits) at which `pattern` asks for
    anything narrower than "a digit"; ValueError for constructs other than literals, classes,
    groups, alternations, bounded repeats and anchors."""
    deepest = 0

    def walk(items: Iterable[Any], starts: frozenset[int]) -> frozenset[int]:
        nonlocal deepest
        for op, arg in items:
            if op is sre.AT:  # an anchor: position only, no digit
                continue
            if op in (sre.LITERAL, sre.IN):
                inside = [s for s in starts if s < length]
                if inside and not _any_digit(op, arg):
                    deepest = max(deepest, max(inside) + 1)
                starts = frozenset(s + 1 for s in inside)
            elif op is sre.SUBPATTERN:
                starts = walk(arg[3], starts)
            elif op is sre.BRANCH:
                starts = frozenset().union(*(walk(branch, starts) for branch in arg[1]))
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                low, high, body = arg
                reached: set[int] = set()
                current = starts
                for count in range(min(high, length) + 1):
                    if count >= low:
                        reached |= current
                    current = walk(body, current)
                starts = frozenset(reached)
            else:
                raise ValueError(f"unsupported regex construct {op} in {pattern!r}")
        return starts

    walk(sre.parse(pattern), frozenset({0}))
    return deepest


def _any_digit(op: Any, arg: Any) -> bool:
    if op is not sre.IN:
        return False
    return arg in ([(sre.CATEGORY, sre.CATEGORY_DIGIT)], [(sre.RANGE, (48, 57))])
