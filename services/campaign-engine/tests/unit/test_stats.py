import pytest
from scipy import stats as sp

from smsbus.campaigns.domain.stats import Arm, analyse, required_sample, sample_ratio, wilson


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
