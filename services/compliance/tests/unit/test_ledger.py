import pytest

from smsbus.compliance.domain.ledger import derive_status, has_express_consent

from ..builders import an_entry

R = ("revoked", None)
GE = ("granted", "express")
GI = ("granted", "implied")


@pytest.mark.parametrize(
    ("history", "status", "express"),
    [
        ([], "unknown", False),
        ([R], "opted_out", False),
        ([GE], "opted_in", True),
        ([GI], "opted_in", False),
        ([R, GE], "opted_in", True),
        ([R, GE, R], "opted_out", False),
        ([R, GI], "opted_out", False),  # implied consent never lifts a revocation
        ([GE, GI], "opted_in", True),
        ([GI, R, GI], "opted_out", False),
    ],
    ids=lambda v: (
        "-".join(a[0][0] + (a[1] or "-")[0] for a in v) if isinstance(v, list) else str(v)
    ),
)
def test_status_is_derived_from_the_ledger_in_order(history, status, express) -> None:
    entries = [an_entry(action, consent_type) for action, consent_type in history]

    assert derive_status(entries) == status
    assert has_express_consent(entries) == express
