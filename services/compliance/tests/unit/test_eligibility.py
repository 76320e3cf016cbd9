import pytest

from smsbus.compliance.domain.eligibility import Facts, reasons
from smsbus.compliance.domain.phones import describe
from smsbus.runtime.testing import labelled

US = describe("+14155552671")
ALLOWED = ("US", "CA")

CASES = [
    ("a clean US number, transactional", Facts(US), "transactional", []),
    ("a clean US number with express consent, marketing", Facts(US, express_consent=True), "marketing", []),
    ("marketing without express consent", Facts(US), "marketing", ["no_express_consent"]),
    ("unparseable", Facts(None), "transactional", ["invalid"]),
    ("not a valid range", Facts(describe("+15555555555")), "transactional", ["invalid", "unknown_country"]),
    ("toll-free", Facts(describe("+18005551212"), line_type="toll_free"), "transactional", ["toll_free"]),
    ("premium rate", Facts(describe("+19005550100"), line_type="premium_rate"), "transactional", ["premium_rate"]),
    ("a landline per the lookup", Facts(US, line_type="landline"), "transactional", ["landline"]),
    ("outside the regions we text", Facts(describe("+447911123456")), "transactional", ["unsupported_country"]),
    ("suppressed blocks transactional too", Facts(US, suppressed=True), "transactional", ["suppressed"]),
    ("internal do-not-contact blocks everything", Facts(US, internal_dnc=True), "transactional", ["internal_dnc"]),
    ("national DNC does not block transactional", Facts(US, dnc_lists=("ftc",)), "transactional", []),
    ("national DNC blocks marketing", Facts(US, dnc_lists=("ftc",)), "marketing", ["dnc", "no_express_consent"]),
    ("express consent exempts from the national DNC", Facts(US, dnc_lists=("ftc",), express_consent=True), "marketing", []),
    ("every reason at once", Facts(US, suppressed=True, internal_dnc=True, dnc_lists=("ftc",)), "marketing", ["suppressed", "internal_dnc", "dnc", "no_express_consent"]),
]  # fmt: skip


@pytest.mark.parametrize(("facts", "purpose", "expected"), labelled(CASES))
def test_reasons(facts: Facts, purpose: str, expected: list[str]) -> None:
    assert reasons(facts, purpose, allowed_regions=ALLOWED) == expected  # type: ignore[arg-type]


def test_marketing_consent_requirement_can_be_turned_off() -> None:
    assert (
        reasons(
            Facts(US),
            "marketing",
            allowed_regions=ALLOWED,
            marketing_requires_express_consent=False,
        )
        == []
    )
