"""When a recipient may be texted: the requester's window in the recipient's local time, never
outside the law of every state the person may be in (reference/compliance.md §4): the federal
08:00-21:00 and the state rows of `states.py` (hours by weekday, Sundays, legal holidays),
the strictest of them (`strictest.py`).

The person's states are the number's (FTSA/OTSA presume a resident of the area code's state)
and the known address's (its state field and its ZIP's, `places.py`): when they differ every
one applies. `area_states` is a table generated from phonenumbers' geocoder, whose data would
cost every process ~150 MiB; the zones are phonenumbers' candidates for the number (by NPA or
NPA-NXX) plus, for an address in another state than the number's, the zones of that state (all
of them, unless its ZIP says which). A person whose zones disagree is sent only when the window
is open in every one of them.
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
from smsbus.rules.holidays import is_holiday
from smsbus.rules.places import address_states, state_zones
from smsbus.rules.states import FEDERAL as FEDERAL_RULE
from smsbus.rules.states import Cap
from smsbus.rules.strictest import law_for

FEDERAL: tuple[time, time] = FEDERAL_RULE.hours
DEFAULT_ZONE = "America/New_York"


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
def locality(
    phone: str, address_state: str | None = None, address_zip: str | None = None
) -> Locality:
    """Zones and states of an E.164 number and of the person's known address (a state written
    as a code or a name, a ZIP code)."""
    zones: tuple[str, ...] = ()
    area_state = None
    try:
        number = phonenumbers.parse(phone, "US")
        zones = tuple(z for z in timezone.time_zones_for_number(number) if z != "Etc/Unknown")
        area_state = _area_state(number)
    except phonenumbers.NumberParseException:
        pass
    return with_address(zones, area_state, address_state, address_zip)


def with_address(
    zones: Sequence[str],
    area_state: str | None,
    address_state: str | None = None,
    address_zip: str | None = None,
) -> Locality:
    """The number's zones and state with the address's: every state named applies, and an
    address in another state than the number's adds that state's zones (the person lives
    there, whatever the number's rate centre says)."""
    found = list(zones)
    states = [area_state] if area_state else []
    for state in address_states(address_state, address_zip):
        if state not in states:
            states.append(state)
        if state != area_state or not zones:
            found += [z for z in state_zones(state, address_zip) if z not in found]
    return Locality(tuple(found) or (DEFAULT_ZONE,), tuple(states))


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


def frequency_cap(states: Sequence[str]) -> Cap | None:
    """The lowest cap of the states' rows (at most `count` marketing texts `within`), if any."""
    return law_for(states).cap


def is_open(now: datetime, where: Locality, window: SendWindow) -> bool:
    """True when `now` (aware) is inside the window and the law in every candidate zone: the
    weekday allowed, not a banned holiday, within the day's hours."""
    law = law_for(where.states)
    for zone in where.zones:
        local = now.astimezone(ZoneInfo(zone))
        weekday = local.weekday()
        hours = law.days[weekday]
        if hours is None or weekday not in window.days:
            return False
        start, end = max(window.start, hours[0]), min(window.end, hours[1])
        if not start <= local.time() < end:
            return False
        if law.holidays and is_holiday(local.date(), law.holidays):
            return False
    return True


def next_open(
    now: datetime, where: Locality, window: SendWindow, *, step: timedelta = timedelta(minutes=15)
) -> datetime | None:
    """The first quarter-hour from `now` on at which the window is open (within 8 days: a
    Sunday next to a holiday weekend still leaves a weekday open)."""
    probe = now.replace(second=0, microsecond=0)
    probe += timedelta(minutes=(-probe.minute) % 15)
    for _ in range(8 * 24 * 4):
        if is_open(probe, where, window):
            return max(probe, now)
        probe += step
    return None
