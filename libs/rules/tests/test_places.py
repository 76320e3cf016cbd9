"""Addresses to states: codes, names and ZIP codes."""

import pytest

from smsbus.rules.places import (
    STATE_ZONES,
    ZIP3_STATES,
    address_states,
    state_code,
    state_zones,
    zip_state,
)
from smsbus.runtime.testing import labelled

ZIPS = [
    ("10001", "NY"), ("00501", "NY"), ("00901", "PR"), ("02903", "RI"), ("05501", "MA"),
    ("06103", "CT"), ("07102", "NJ"), ("19801", "DE"), ("20500", "DC"), ("20166", "VA"),
    ("21201", "MD"), ("30303", "GA"), ("33101", "FL"), ("32501", "FL"), ("35203", "AL"),
    ("39201", "MS"), ("39901", "GA"), ("40202", "KY"), ("48226", "MI"), ("55401", "MN"),
    ("70112", "LA"), ("73102", "OK"), ("73301", "TX"), ("75201", "TX"), ("79901", "TX"),
    ("84101", "UT"), ("87501", "NM"), ("88510", "TX"), ("89501", "NV"), ("94105", "CA"),
    ("96813", "HI"), ("97201", "OR"), ("98101", "WA"), ("99501", "AK"), ("33101-1234", "FL"),
]  # fmt: skip


@pytest.mark.parametrize(("zip_code", "state"), ZIPS)
def test_zip_state(zip_code: str, state: str) -> None:
    assert zip_state(zip_code) == state


@pytest.mark.parametrize("zip_code", ["", None, "1234", "ABCDE", "09001", "34001", "96201"])
def test_no_state_for_bad_or_military_zips(zip_code: str | None) -> None:
    assert zip_state(zip_code) is None


def test_every_zip_state_has_zones() -> None:
    assert set(ZIP3_STATES.values()) <= set(STATE_ZONES)
    assert len(set(ZIP3_STATES.values()) & set(STATE_ZONES)) >= 51


NAMES = [("FL", "FL"), (" fl ", "FL"), ("Florida", "FL"), ("new  york", "NY"),
         ("District of Columbia", "DC"), ("Ontario", None), ("XX", None), ("", None)]  # fmt: skip


@pytest.mark.parametrize(("text", "code"), NAMES)
def test_state_code(text: str, code: str | None) -> None:
    assert state_code(text) == code


def test_address_states_keeps_both_when_they_differ() -> None:
    assert address_states("FL", "33101") == ("FL",)
    assert address_states("CA", "33101") == ("CA", "FL")
    assert address_states(None, "bad") == ()


ZONES = [
    ("florida, no zip: both zones", "FL", None, ("America/New_York", "America/Chicago")),
    ("miami", "FL", "33101", ("America/New_York",)),
    ("pensacola", "FL", "32501", ("America/New_York", "America/Chicago")),
    ("a zip of another state does not narrow", "FL", "94105", ("America/New_York", "America/Chicago")),
    ("dallas", "TX", "75201", ("America/Chicago",)),
    ("el paso", "TX", "79901", ("America/Chicago", "America/Denver")),
    ("kansas keeps both", "KS", "66101", ("America/Chicago", "America/Denver")),
]  # fmt: skip


@pytest.mark.parametrize(("state", "zip_code", "zones"), labelled(ZONES))
def test_state_zones(state: str, zip_code: str | None, zones: tuple[str, ...]) -> None:
    assert state_zones(state, zip_code) == zones
