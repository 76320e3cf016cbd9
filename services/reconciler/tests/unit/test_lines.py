"""Which of the key's lines a run reconciles."""

import pytest

from smsbus.contracts.rest import PhoneNumber
from smsbus.reconciler.history import UnknownLine, choose_lines

LINES = [PhoneNumber(id="PNa", number="+15555550100"), PhoneNumber(id="PNb", number="+15555550101")]

CASES = [
    ("nothing configured: every line", [], ["PNa", "PNb"]),
    ("by id", ["PNb"], ["PNb"]),
    ("by number", ["+15555550100"], ["PNa"]),
    ("both spellings of one line: once", ["PNa", "+15555550100"], ["PNa"]),
]  # fmt: skip


@pytest.mark.parametrize(("label", "wanted", "expected"), CASES, ids=[c[0] for c in CASES])
def test_choose_lines(label: str, wanted: list[str], expected: list[str]) -> None:
    assert [line.id for line in choose_lines(LINES, wanted=wanted)] == expected, label


def test_a_configured_line_the_key_does_not_have_is_an_error_without_the_number() -> None:
    with pytest.raises(UnknownLine) as raised:
        choose_lines(LINES, wanted=["PNa", "+15555550999"])
    assert "+15555550999" not in str(raised.value)
