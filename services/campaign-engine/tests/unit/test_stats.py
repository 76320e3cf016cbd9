import pytest
from scipy import stats as sp

from smsbus.campaigns.domain.pairwise import holm
from smsbus.campaigns.domain.stats import Arm, analyse, required_sample, sample_ratio, wilson
from smsbus.runtime.testing import labelled


def test_wilson_against_known_values() -> None:
    interval = wilson(10, 100)
    assert interval is not None
    assert interval.low == pytest.approx(0.05523, abs=1e-4)
    assert interval.high == pytest.approx(0.17437, abs=1e-4)
    zero = wilson(0, 10)
    assert zero is not None
    assert zero.low == 0.0
    assert zero.high == pytest.approx(0.27753, abs=1e-4)
    assert wilson(0, 0) is None


def test_seed_case_b_wins_with_yates() -> None:
    arms = [Arm("A", 1, 1000, 1000, 100), Arm("B", 1, 1000, 1000, 150)]
    result = analyse(arms)
    expected = sp.chi2_contingency([[100, 150], [900, 850]], correction=True)
    assert result.status == "significant"
    assert result.winner == "B"
    assert result.confidence is not None
    assert result.confidence >= 95.0
    assert result.correction == "yates"
    assert result.chi2 == pytest.approx(expected[0])
    assert result.p_value == pytest.approx(expected[1])


def test_minimum_sample_enforced() -> None:
    result = analyse([Arm("A", 1, 50, 50, 5), Arm("B", 1, 50, 50, 8)])
    assert result.status == "insufficient_data"
    assert "minimum" in result.message.lower()


def test_no_difference() -> None:
    result = analyse([Arm("A", 1, 500, 500, 50), Arm("B", 1, 500, 500, 52)])
    assert result.status == "no_difference"
    assert result.winner is None


def test_required_sample_10_to_12_percent() -> None:
    # reference/compliance.md §7: 10% → 12% needs ≈3,835 per arm (Cohen h, alpha .05, power .8).
    assert required_sample(0.10, 0.12) == pytest.approx(3835, abs=5)
    assert required_sample(0.1, 0.1) is None


def test_sample_ratio_mismatch() -> None:
    balanced = [Arm("A", 1, 5000, 0, 0), Arm("B", 1, 5020, 0, 0)]
    skewed = [Arm("A", 1, 5000, 0, 0), Arm("B", 1, 5600, 0, 0)]
    p_ok, p_bad = sample_ratio(balanced), sample_ratio(skewed)
    assert p_ok is not None
    assert p_ok > 0.5
    assert p_bad is not None
    assert p_bad < 0.001
    assert analyse(skewed).sample_ratio_mismatch


def test_holm_against_hand_computed_values() -> None:
    # sorted 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → kept monotone at 0.06.
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


BIG = 20_000
THREE = [
    # The case: the overall test is overwhelming, B does not beat C.
    ("A 10 %, B 15.0 %, C 14.9 %: no winner", [("A", 2000), ("B", 3000), ("C", 2980)], BIG,
     "no_winner", None, {("A", "B"): "B", ("A", "C"): "C", ("B", "C"): None}),
    ("A 10 %, B 12.5 %, C 15 %: C beats both", [("A", 500), ("B", 625), ("C", 750)], 5000,
     "significant", "C", {("A", "B"): "B", ("A", "C"): "C", ("B", "C"): "C"}),
    ("C beats A only: no winner", [("A", 500), ("B", 540), ("C", 600)], 5000,
     "no_winner", None, {("A", "B"): None, ("A", "C"): "C", ("B", "C"): None}),
    ("all alike: no difference", [("A", 500), ("B", 505), ("C", 498)], 5000,
     "no_difference", None, {("A", "B"): None, ("A", "C"): None, ("B", "C"): None}),
    ("four arms, D beats every other", [("A", 500), ("B", 510), ("C", 520), ("D", 800)], 5000,
     "significant", "D", {("A", "D"): "D", ("B", "D"): "D", ("C", "D"): "D", ("A", "B"): None}),
]  # fmt: skip


@pytest.mark.parametrize(("responded", "delivered", "status", "winner", "better"), labelled(THREE))
def test_three_or_more_variants(
    responded: list[tuple[str, int]],
    delivered: int,
    status: str,
    winner: str | None,
    better: dict[tuple[str, str], str | None],
) -> None:
    arms = [Arm(name, 1, delivered, delivered, count) for name, count in responded]
    result = analyse(arms)
    assert (result.status, result.winner) == (status, winner)
    found = {(c.a, c.b): c for c in result.comparisons}
    assert len(found) == len(arms) * (len(arms) - 1) // 2
    for pair, expected in better.items():
        assert found[pair].better == expected, pair
        assert found[pair].significant is (expected is not None)
    adjusted = holm([c.p_value for c in result.comparisons])
    assert [c.p_adjusted for c in result.comparisons] == pytest.approx(adjusted)
    assert result.correction == "yates per pair, holm-bonferroni across pairs"


def test_no_winner_reports_what_is_significant_and_the_sample_still_needed() -> None:
    arms = [Arm("A", 1, BIG, BIG, 2000), Arm("B", 1, BIG, BIG, 3000), Arm("C", 1, BIG, BIG, 2980)]
    result = analyse(arms)
    assert "B > A" in result.message
    assert "C > A" in result.message
    assert "B vs C" in result.message
    pair = {(c.a, c.b): c for c in result.comparisons}[("B", "C")]
    # B vs C at alpha / 3 pairs (Bonferroni, Holm's first step), power 0.8.
    needed = required_sample(0.15, 0.149, alpha=0.05 / 3)
    assert pair.required_per_variant == needed
    assert result.required_per_variant == needed
    assert result.still_needed_per_variant == needed - BIG > 2_000_000
    expected = sp.chi2_contingency([[3000, 2980], [BIG - 3000, BIG - 2980]], correction=True)
    assert pair.p_value == pytest.approx(expected[1])
    overall = sp.chi2_contingency([[2000, 3000, 2980], [BIG - 2000, BIG - 3000, BIG - 2980]])
    assert result.p_value == pytest.approx(overall[1])
    assert result.p_value is not None
    assert result.p_value < 1e-40  # what used to name a winner


def test_three_variants_short_of_the_minimum_sample_still_say_what_they_need() -> None:
    result = analyse([Arm("A", 1, 60, 60, 6), Arm("B", 1, 60, 60, 9), Arm("C", 1, 60, 60, 7)])
    assert result.status == "insufficient_data"
    assert result.still_needed_per_variant is not None
    assert result.still_needed_per_variant > 0
    assert len(result.comparisons) == 3


def test_two_variants_unchanged_with_their_one_comparison() -> None:
    arms = [Arm("A", 1, 1000, 1000, 100), Arm("B", 1, 1000, 1000, 150)]
    result = analyse(arms)
    assert (result.status, result.winner, result.correction) == ("significant", "B", "yates")
    assert result.required_per_variant == required_sample(0.15, 0.10)
    (only,) = result.comparisons
    assert (only.a, only.b, only.better) == ("A", "B", "B")
    assert only.p_value == pytest.approx(result.p_value)
    assert only.p_adjusted == pytest.approx(result.p_value)
    assert result.still_needed_per_variant == max(0, required_sample(0.15, 0.10) - 1000)  # type: ignore[operator]
