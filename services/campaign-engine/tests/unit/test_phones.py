"""The phone fast path answers exactly as phonenumbers does: the same E.164, or the same reason.

The cases are drawn at random (fixed seed) in every shape the fast path takes and some it must
not take, over North American and other default regions; each is put to `normalise` and to
`normalise_slowly` (phonenumbers alone) and the answers compared."""

import random
from collections.abc import Callable
from functools import partial

import pytest

from smsbus.campaigns.domain import phones
from smsbus.campaigns.domain.phones import (
    NANP_REGIONS,
    InvalidPhone,
    constrained_depth,
    nanp_depth,
    nanp_digits,
    normalise,
    normalise_slowly,
)

SHAPES: dict[str, Callable[[str, str, str], str]] = {
    "e164": lambda a, e, n: f"+1{a}{e}{n}",
    "ten digits": lambda a, e, n: f"{a}{e}{n}",
    "eleven digits": lambda a, e, n: f"1{a}{e}{n}",
    "parenthesised": lambda a, e, n: f"({a}) {e}-{n}",
    "parenthesised, no space": lambda a, e, n: f"({a}){e}-{n}",
    "dashes": lambda a, e, n: f"{a}-{e}-{n}",
    "dots": lambda a, e, n: f"{a}.{e}.{n}",
    "spaces": lambda a, e, n: f"{a} {e} {n}",
    "+1 spaced": lambda a, e, n: f"+1 {a} {e} {n}",
    "+1 parenthesised": lambda a, e, n: f"+1 ({a}) {e}-{n}",
    "1-dashes": lambda a, e, n: f"1-{a}-{e}-{n}",
    "1 parenthesised": lambda a, e, n: f"1 ({a}) {e}-{n}",
    "mixed separators": lambda a, e, n: f"{a}.{e}-{n}",
}
NOT_FAST = {
    "area code 0/1": lambda a, e, n: f"+1{int(a) % 2}{a[1:]}{e}{n}",
    "extension": lambda a, e, n: f"{a}-{e}-{n} x12",
    "letters": lambda a, e, n: f"{a}-{e}-{n[:2]}AB",
    "nine digits": lambda a, e, n: f"{a}{e}{n[:3]}",
    "+ without 1": lambda a, e, n: f"+{a}{e}{n}",
    "+44": lambda a, e, n: f"+44 20 {e}{n}"[:16],
    "two spaces": lambda a, e, n: f"{a}  {e} {n}",
}
REGIONS = [*sorted(NANP_REGIONS), "GB", "DE", "MX", "FR"]


def outcome(call: Callable[[], str]) -> tuple[str, str]:
    try:
        return ("ok", call())
    except InvalidPhone as exc:
        return ("invalid", str(exc))


def parts(rng: random.Random) -> tuple[str, str, str]:
    return f"{rng.randint(200, 999)}", f"{rng.randint(0, 999):03d}", f"{rng.randint(0, 9999):04d}"


def test_the_metadata_constrains_only_the_first_digits_so_the_fast_path_is_on() -> None:
    depth = nanp_depth()
    assert depth is not None
    assert 3 <= depth <= phones.MAX_TABLE_DEPTH


@pytest.mark.parametrize(
    ("pattern", "depth"),
    [
        (r"[2-9]\d{9}", 1),
        (r"\d{10}", 0),
        (r"(?:268|[58]\d\d|900)\d{7}", 3),
        (r"52[34][2-9]1[02-9]\d{4}", 6),
        (r"(?:3052(?:0[0-8]|[1-9]\d)|5056(?:[0-35-9]\d|4[0-68]))\d{4}", 6),
        (r"\d{2,4}5\d+", 5),  # after a repeat of 2 to 4 digits: positions 2, 3 or 4
        (r"([457]\d{6})$|1", 1),
    ],
)
def test_constrained_depth(pattern: str, depth: int) -> None:
    assert constrained_depth(pattern, length=10) == depth


def test_constrained_depth_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        constrained_depth(r"(?=2)\d{10}", length=10)


def test_fast_path_shapes_are_read_and_others_are_not() -> None:
    rng = random.Random(1)
    for name, shape in SHAPES.items():
        assert nanp_digits(shape(*parts(rng)), region="US") is not None, name
    for name, shape in NOT_FAST.items():
        assert nanp_digits(shape(*parts(rng)), region="US") is None, name
    assert nanp_digits("2125550123", region="GB") is None
    assert nanp_digits("+12125550123", region="GB") == "2125550123"


def test_fast_path_equals_phonenumbers_on_random_numbers_in_every_shape_and_region() -> None:
    rng = random.Random(20261130)
    shapes = list(SHAPES.values()) + list(NOT_FAST.values())
    valid = compared = 0
    for _ in range(20_000):
        text = rng.choice(shapes)(*parts(rng))
        region = rng.choice(REGIONS)
        fast = outcome(partial(normalise, text, region=region))
        assert fast == outcome(partial(normalise_slowly, text, region=region)), (text, region)
        valid += fast[0] == "ok"
        compared += 1
    assert compared == 20_000
    assert 0.2 < valid / compared < 0.9  # both outcomes were exercised, many times


def test_numbers_sharing_a_prefix_get_the_answer_phonenumbers_gives_each() -> None:
    """The second number with a prefix is answered from the table, not by phonenumbers."""
    rng = random.Random(7)
    depth = nanp_depth()
    assert depth is not None
    for _ in range(3_000):
        first = "".join(parts(rng))
        prefix = first[:depth]
        for _ in range(3):
            other = prefix + "".join(rng.choice("0123456789") for _ in range(10 - depth))
            text = f"+1{other}"
            assert outcome(partial(normalise, text)) == outcome(
                partial(normalise_slowly, text, region="US")
            ), text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(305) 555-0123", "+13055550123"),
        (" +1 212 555 0123 ", "+12125550123"),
        ("1-415-555-2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", "empty phone"),
        ("   ", "empty phone"),
        ("+1 011 555 0123", "not a valid number"),
        ("212-555-01", "not a valid number"),
        ("not a phone", "not a phone number: "),
    ],
)
def test_labelled_cases(raw: str, expected: str) -> None:
    result = outcome(lambda: normalise(raw))
    assert result[1].startswith(expected), result
