"""When a recipient may be texted: the requester's window in the recipient's local time, never
outside the federal 08:00-21:00 nor the stricter state window (reference/compliance.md §4).

The state comes from a known address first, else the area code (FTSA/OTSA presume a resident):
`area_states`, a table generated from phonenumbers' geocoder, whose data would cost every
process ~150 MiB; the zones are phonenumbers' candidates for the number (by NPA or NPA-NXX). A
number whose zones disagree is sent only when the window is open in every one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone

from smsbus.rules.area_states import LONGEST_PREFIX, PREFIX_STATES, REGION_STATES

# Data, not code: (start, end) local hours by state, the federal rule for every other state.
FEDERAL: tuple[time, time] = (time(8), time(21))
STATE_HOURS: dict[str, tuple[time, time]] = {
    "FL": (time(8), time(20)),
    "OK": (time(8), time(20)),
    "MD": (time(8), time(20)),
    "WA": (time(8), time(20)),
    "AL": (time(8), time(20)),
    "LA": (time(8), time(20)),
    "MS": (time(8), time(20)),
    "MA": (time(8), time(20)),
    "CT": (time(9), time(20)),
    "NV": (time(9), time(20)),
    "KY": (time(10), time(21)),
    "MI": (time(9), time(21)),
    "MN": (time(9), time(21)),
    "NM": (time(9), time(21)),
    "TX": (time(9), time(21)),
}
NO_SUNDAY: frozenset[str] = frozenset({"AL", "LA", "MS"})
# At most this many marketing messages per 24 h per number (same subject) in these states.
FREQUENCY_CAP_STATES: frozenset[str] = frozenset({"FL", "OK", "MD"})
FREQUENCY_CAP = 3

_STATE_ZONE = {"FL": "America/New_York", "OK": "America/Chicago", "MD": "America/New_York"}


@dataclass(frozen=True)
class SendWindow:
    """The campaign's own window: weekdays (0 = Monday) and local hours [start, end)."""

    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start: time = time(9)
    end: time = time(18)


@dataclass(frozen=True)
class Locality:
    """Where a number is: candidate IANA zones and the states whose rules apply."""

    zones: tuple[str, ...]
    states: tuple[str, ...]


@lru_cache(maxsize=65536)
def locality(phone: str, address_state: str | None = None) -> Locality:
    """Zones and states of an E.164 number; a known address state adds its rules."""
    states: list[str] = []
    zones: tuple[str, ...] = ()
    try:
        number = phonenumbers.parse(phone, "US")
        zones = tuple(z for z in timezone.time_zones_for_number(number) if z != "Etc/Unknown")
        area_state = _area_state(number)
        if area_state:
            states.append(area_state)
    except phonenumbers.NumberParseException:
        pass
    if address_state:
        state = address_state.strip().upper()
        if state not in states:
            states.append(state)
        if state in _STATE_ZONE and _STATE_ZONE[state] not in zones and not zones:
            zones = (_STATE_ZONE[state],)
    return Locality(zones or ("America/New_York",), tuple(states))


def _area_state(number: phonenumbers.PhoneNumber) -> str | None:
    """The state the geocoder's description of `number` names, from the generated table.

    As `geocoder.description_for_number(number, "en")`: an invalid number has none; a valid one
    of a geographic type is described by its longest known prefix, any other by its country.
    """
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    code = number.country_code or 0
    if phonenumbers.is_number_type_geographical(kind, code):
        digits = f"{code}{phonenumbers.national_significant_number(number)}"
        for end in range(min(LONGEST_PREFIX, len(digits)), 0, -1):
            if digits[:end] in PREFIX_STATES:
                return PREFIX_STATES[digits[:end]]
    regions = phonenumbers.region_codes_for_country_code(code)
    if len(regions) > 1:  # the one region the number is valid for, if exactly one
        regions = tuple(r for r in regions if phonenumbers.is_valid_number_for_region(number, r))
    return REGION_STATES.get(regions[0]) if len(regions) == 1 else None


def hours_for(states: Sequence[str]) -> tuple[time, time]:
    """The narrowest window of the federal rule and every applicable state's."""
    start, end = FEDERAL
    for state in states:
        if state in STATE_HOURS:
            s, e = STATE_HOURS[state]
            start, end = max(start, s), min(end, e)
    return start, end


def is_open(now: datetime, where: Locality, window: SendWindow) -> bool:
    """True when `now` (aware) is inside every rule in every candidate zone."""
    legal_start, legal_end = hours_for(where.states)
    start, end = max(window.start, legal_start), min(window.end, legal_end)
    no_sunday = any(state in NO_SUNDAY for state in where.states)
    for zone in where.zones:
        local = now.astimezone(ZoneInfo(zone))
        if local.weekday() not in window.days or (no_sunday and local.weekday() == 6):
            return False
        if not start <= local.time().replace(tzinfo=None) < end:
            return False
    return True


def next_open(
    now: datetime, where: Locality, window: SendWindow, *, step: timedelta = timedelta(minutes=15)
) -> datetime | None:
    """The first quarter-hour from `now` on at which the window is open (within 8 days)."""
    probe = now.replace(second=0, microsecond=0)
    probe += timedelta(minutes=(-probe.minute) % 15)
    for _ in range(8 * 24 * 4):
        if is_open(probe, where, window):
            return max(probe, now)
        probe += step
    return None
