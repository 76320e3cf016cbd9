"""Write smsbus/rules/area_states.json: the state a number's area code puts it in, as a table.

`quiet_hours.locality()` used to ask phonenumbers' geocoder for a number's description
("Seattle, WA") and read the state from it (`state_of` below, moved here from quiet_hours).
The geocoder's data costs
~150 MiB of resident memory in every process that imports it, for the few thousand prefixes whose
description names a state. This script reads that data once and keeps only those prefixes.

The geocoder describes a number by the longest prefix of its E.164 digits (country code
included) that has an English description, else by the name of its country. So the state
of a number is s(k) = state_of(description of k) for its longest described prefix k. The table
keeps a prefix only where its state differs from the state of the prefix it refines (its
longest described proper prefix), and a prefix with no such parent only where its state differs
from the country-name fallback (always None except for a country whose name reads as a state:
"Georgia"). A longest-prefix match over the kept prefixes then gives every number the same
state as the full data did; for NANP that is an area code (1 + NPA) with its exchanges
(1 + NPA + 1..3 digits) only where they name another state, or one where the area code names
none ("Ontario", "Washington State").

Which numbers are described at all (invalid: "", non-geographic types: the country name) stays
phonenumbers' own decision, made by `locality()` with its small metadata, as before.

Run from the repository root after upgrading phonenumbers, then the rules' tests:

    ./uv run python libs/rules/scripts/generate_area_states.py [--check]

--check also compares the table with the geocoder for every NANP NPA-NXX (640,000 numbers).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import phonenumbers
from phonenumbers import geocoder
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.geodata.locale import LOCALE_DATA
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

TARGET = Path(__file__).resolve().parents[1] / "src" / "smsbus" / "rules" / "area_states.json"

STATE_NAMES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA",
    "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA",
    "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA", "Maine": "ME", "Maryland": "MD",
    "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
    "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH",
    "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN",
    "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY", "Washington D.C.": "DC",
}  # fmt: skip


def state_of(description: str) -> str | None:
    """The state a geocoder description names, as quiet_hours read it: that of a full state
    name or the code of "City, ST"; else none ("Ontario", "Washington State", "Canada")."""
    if description in STATE_NAMES:
        return STATE_NAMES[description]
    _, comma, code = description.rpartition(", ")
    return code if comma and len(code) == 2 else None


def _english(prefix: str) -> str | None:
    # prefix._find_lang for ("en", no script, no region): "en" or nothing (then a shorter prefix).
    return GEOCODE_DATA[prefix].get("en")


def _country_code(prefix: str) -> int:
    for size in (1, 2, 3):
        if int(prefix[:size]) in COUNTRY_CODE_TO_REGION_CODE:
            return int(prefix[:size])
    raise ValueError(f"no country code starts {prefix}")


def build() -> tuple[dict[str, str | None], dict[str, str]]:
    """(prefix -> state for the prefixes that decide one, region -> state of its name)."""
    region_states: dict[str, str] = {}
    for region in sorted(LOCALE_DATA):
        state = state_of(geocoder._region_display_name(region, "en"))
        if state:
            region_states[region] = state
    fallback_countries = {
        code
        for code, regions in COUNTRY_CODE_TO_REGION_CODE.items()
        if any(region in region_states for region in regions)
    }

    described = {prefix for prefix in GEOCODE_DATA if _english(prefix) is not None}
    state = {prefix: state_of(_english(prefix) or "") for prefix in described}
    kept: dict[str, str | None] = {}
    for prefix in described:
        parent = next(
            (prefix[:end] for end in range(len(prefix) - 1, 0, -1) if prefix[:end] in described),
            None,
        )
        if parent is not None:
            if state[prefix] != state[parent]:
                kept[prefix] = state[prefix]
        elif state[prefix] is not None or _country_code(prefix) in fallback_countries:
            kept[prefix] = state[prefix]

    # A country with a mobile token (Argentina's 9) is geocoded by its number without the token;
    # locality() does not do that, so such a country must not need the table.
    for code in {_country_code(prefix) for prefix in kept} | fallback_countries:
        if phonenumbers.country_mobile_token(code):
            raise SystemExit(f"+{code} has a mobile token and states: teach locality() the token")
    return dict(sorted(kept.items())), region_states


def render(prefix_states: dict[str, str | None], region_states: dict[str, str]) -> str:
    """The table as area_states.json: one entry a line, so that a regeneration diffs by prefix."""
    table = {
        "generated_by": "libs/rules/scripts/generate_area_states.py",
        "phonenumbers_version": phonenumbers.__version__,
        "english_descriptions": sum(1 for prefix in GEOCODE_DATA if _english(prefix) is not None),
        "region_states": region_states,
        "prefix_states": prefix_states,
    }
    return json.dumps(table, indent=1) + "\n"


def check() -> int:
    """Compare the written table with the geocoder for every NANP NPA-NXX; the mismatches."""
    from smsbus.rules import quiet_hours

    mismatches = 0
    started = time.monotonic()
    for npa in range(200, 1000):
        for nxx in range(200, 1000):
            number = phonenumbers.parse(f"+1{npa}{nxx}0100")
            want = state_of(geocoder.description_for_number(number, "en"))
            got = quiet_hours._area_state(number)
            if want != got:
                mismatches += 1
                sys.stderr.write(f"+1{npa}{nxx}0100: geocoder {want}, table {got}\n")
    elapsed = time.monotonic() - started
    sys.stdout.write(f"checked 640,000 numbers in {elapsed:.0f} s: {mismatches} differ\n")
    return mismatches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare every NANP NPA-NXX after")
    args = parser.parse_args()
    prefix_states, region_states = build()
    TARGET.write_text(render(prefix_states, region_states))
    sys.stdout.write(
        f"wrote {TARGET}: {len(prefix_states)} prefixes, {len(region_states)} regions\n"
    )
    if args.check and check():
        raise SystemExit(1)


if __name__ == "__main__":
    main()
