"""Where an address is, as data: state names and codes, the time zones each state spans, and the
state of a ZIP code by its first three digits (USPS sectional centers, Publication 65 / the
National Five-Digit ZIP Code and Post Office Directory; military AA/AE/AP ranges have no state).
"""

from __future__ import annotations

from functools import lru_cache

_ET, _CT, _MT, _PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"

# State → every zone part of it keeps (a person there is held to the window in each of them).
STATE_ZONES: dict[str, tuple[str, ...]] = {
    "AL": (_CT,), "AK": ("America/Anchorage", "America/Adak"), "AZ": ("America/Phoenix",),
    "AR": (_CT,), "CA": (_PT,), "CO": (_MT,), "CT": (_ET,), "DE": (_ET,), "DC": (_ET,),
    "FL": (_ET, _CT), "GA": (_ET,), "HI": ("Pacific/Honolulu",), "ID": ("America/Boise", _PT),
    "IL": (_CT,), "IN": ("America/Indiana/Indianapolis", _CT), "IA": (_CT,), "KS": (_CT, _MT),
    "KY": ("America/Kentucky/Louisville", _CT), "LA": (_CT,), "ME": (_ET,), "MD": (_ET,),
    "MA": (_ET,), "MI": ("America/Detroit", "America/Menominee"), "MN": (_CT,), "MS": (_CT,),
    "MO": (_CT,), "MT": (_MT,), "NE": (_CT, _MT), "NV": (_PT,), "NH": (_ET,), "NJ": (_ET,),
    "NM": (_MT,), "NY": (_ET,), "NC": (_ET,), "ND": (_CT, _MT), "OH": (_ET,), "OK": (_CT,),
    "OR": (_PT, "America/Boise"), "PA": (_ET,), "RI": (_ET,), "SC": (_ET,), "SD": (_CT, _MT),
    "TN": (_CT, _ET), "TX": (_CT, _MT), "UT": (_MT,), "VT": (_ET,), "VA": (_ET,), "WA": (_PT,),
    "WV": (_ET,), "WI": (_CT,), "WY": (_MT,), "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",), "GU": ("Pacific/Guam",), "AS": ("Pacific/Pago_Pago",),
    "MP": ("Pacific/Saipan",),
}  # fmt: skip

STATE_NAMES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "washington dc": "DC", "washington d.c.": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH",
    "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA",
    "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
    "virgin islands": "VI", "guam": "GU", "american samoa": "AS",
    "northern mariana islands": "MP",
}  # fmt: skip

# (first ZIP3, last ZIP3, state), in order; gaps are unassigned or military.
ZIP3_RANGES: tuple[tuple[int, int, str], ...] = (
    (5, 5, "NY"), (6, 7, "PR"), (8, 8, "VI"), (9, 9, "PR"), (10, 27, "MA"), (28, 29, "RI"),
    (30, 38, "NH"), (39, 49, "ME"), (50, 54, "VT"), (55, 55, "MA"), (56, 59, "VT"),
    (60, 69, "CT"), (70, 89, "NJ"), (100, 149, "NY"), (150, 196, "PA"), (197, 199, "DE"),
    (200, 200, "DC"), (201, 201, "VA"), (202, 205, "DC"), (206, 219, "MD"), (220, 246, "VA"),
    (247, 268, "WV"), (270, 289, "NC"), (290, 299, "SC"), (300, 319, "GA"), (320, 339, "FL"),
    (341, 349, "FL"), (350, 369, "AL"), (370, 385, "TN"), (386, 397, "MS"), (398, 399, "GA"),
    (400, 427, "KY"), (430, 459, "OH"), (460, 479, "IN"), (480, 499, "MI"), (500, 528, "IA"),
    (530, 549, "WI"), (550, 567, "MN"), (569, 569, "DC"), (570, 577, "SD"), (580, 588, "ND"),
    (590, 599, "MT"), (600, 629, "IL"), (630, 658, "MO"), (660, 679, "KS"), (680, 693, "NE"),
    (700, 715, "LA"), (716, 729, "AR"), (730, 732, "OK"), (733, 733, "TX"), (734, 749, "OK"),
    (750, 799, "TX"), (800, 816, "CO"), (820, 831, "WY"), (832, 838, "ID"), (840, 847, "UT"),
    (850, 865, "AZ"), (870, 884, "NM"), (885, 885, "TX"), (889, 898, "NV"), (900, 961, "CA"),
    (967, 968, "HI"), (969, 969, "GU"), (970, 979, "OR"), (980, 994, "WA"), (995, 999, "AK"),
)  # fmt: skip

# Split states whose minority zone lies within a few ZIP3s: a ZIP outside them is in the
# majority zone alone (Florida's Central panhandle is west of the Apalachicola, SCFs 323-325;
# Texas's Mountain corner is El Paso, Hudspeth and Culberson counties, SCFs 798, 799, 885).
# Every other split state keeps all its zones whatever the ZIP.
MAJORITY_ZONE: dict[str, tuple[str, frozenset[str]]] = {
    "FL": (_ET, frozenset({"323", "324", "325"})),
    "TX": (_CT, frozenset({"798", "799", "885"})),
}

ZIP3_STATES: dict[str, str] = {
    f"{zip3:03d}": state for first, last, state in ZIP3_RANGES for zip3 in range(first, last + 1)
}


@lru_cache(maxsize=512)
def state_code(text: str | None) -> str | None:
    """The two-letter code of a state written as a code or a name ("fl", "Florida"); else None."""
    if not text:
        return None
    key = " ".join(text.lower().split())
    if len(key) == 2 and key.upper() in STATE_ZONES:
        return key.upper()
    return STATE_NAMES.get(key)


def zip_state(zip_code: str | None) -> str | None:
    """The state of a US ZIP code ("33101", "33101-1234"); None for anything else."""
    digits = (zip_code or "").strip()[:5]
    if len(digits) != 5 or not digits.isdigit():
        return None
    return ZIP3_STATES.get(digits[:3])


def state_zones(state: str, zip_code: str | None = None) -> tuple[str, ...]:
    """The zones a person in `state` may be in, narrowed by a ZIP of that state when it can be."""
    if state in MAJORITY_ZONE and zip_state(zip_code) == state:
        zone, minority = MAJORITY_ZONE[state]
        if (zip_code or "").strip()[:3] not in minority:
            return (zone,)
    return STATE_ZONES.get(state, ())


def address_states(state: str | None, zip_code: str | None) -> tuple[str, ...]:
    """The states a known address names: its state field and its ZIP's (both when they differ:
    the stricter rules of the two then apply)."""
    found = [s for s in (state_code(state), zip_state(zip_code)) if s]
    return tuple(dict.fromkeys(found))
