"""Consent import rows: each CSV row read against the vocabulary and the evidence it needs, the
file read in batches, and what an accepted row does to a number (a table of labelled cases)."""

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from smsbus.compliance.consent_reader import ConsentFileError, read_batches
from smsbus.compliance.domain.consent_import import (
    ConsentRow,
    ImportContext,
    ImportCounts,
    Refused,
    decide_row,
    percent_done,
    read_row,
)
from smsbus.compliance.domain.decisions import Decision

from ..builders import NOW, PERSON, a_state

AGREED = "Yes, text me offers"
GOOD = {
    "phone": "(415) 555-2671",
    "consent_source": "web form",
    "consent_at": "2026-01-10",
    "consent_text": AGREED,
}


ROWS = [
    ("express with its evidence", {"consent": "express"}, "express"),
    ("values are case-insensitive", {"consent": " Express "}, "express"),
    ("explicit is express", {"consent": "Explicit"}, "express"),
    ("implicit is implied", {"consent": "implicit", "consent_text": ""}, "implied"),
    ("implied needs no consent_text", {"consent": "implied", "consent_text": ""}, "implied"),
    ("revoked needs no consent_text", {"consent": "revoked", "consent_text": ""}, "revoked"),
    ("none needs no evidence at all", {"consent": "none", "consent_source": "", "consent_at": ""}, "none"),
    ("empty consent", {"consent": ""}, "invalid_consent"),
    ("a word outside the vocabulary", {"consent": "opted_in"}, "invalid_consent"),
    ("yes is not a consent value", {"consent": "yes"}, "invalid_consent"),
    ("not a phone", {"consent": "express", "phone": "call me"}, "invalid_phone"),
    ("no source", {"consent": "implied", "consent_source": " "}, "missing_consent_source"),
    ("no time", {"consent": "revoked", "consent_at": ""}, "missing_consent_at"),
    ("a US date is no ISO date", {"consent": "express", "consent_at": "01/10/2026"}, "invalid_consent_at"),
    ("in the future", {"consent": "express", "consent_at": "2026-03-03"}, "future_consent_at"),
    ("within the clock skew", {"consent": "express", "consent_at": "2026-03-02T15:04:00Z"}, "express"),
    ("express without what was agreed", {"consent": "express", "consent_text": ""}, "missing_consent_text"),
    ("a source too long", {"consent": "express", "consent_source": "x" * 201}, "too_long"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "values", "expected"), ROWS)
def test_a_row_is_read_or_refused_with_its_reason(
    label: str, values: dict[str, str], expected: str
) -> None:
    row = read_row(7, GOOD | values, default_region="US", now=NOW)

    outcome = row.consent if isinstance(row, ConsentRow) else row.reason
    assert outcome == expected, label
    assert row.line == 7


def test_consent_at_without_an_offset_is_utc_and_a_date_is_midnight() -> None:
    with_offset = read_row(
        2,
        GOOD | {"consent": "express", "consent_at": "2026-01-10T09:30-05:00", "ref": "A1"},
        default_region="US",
        now=NOW,
    )
    naive = read_row(
        2,
        GOOD | {"consent": "express", "consent_at": "2026-01-10 09:30"},
        default_region="US",
        now=NOW,
    )
    day = read_row(2, GOOD | {"consent": "express"}, default_region="US", now=NOW)

    assert isinstance(with_offset, ConsentRow)
    assert with_offset.consented_at == datetime(2026, 1, 10, 14, 30, tzinfo=UTC)
    assert (with_offset.phone, with_offset.source, with_offset.ref) == (PERSON, "web form", "A1")
    assert isinstance(naive, ConsentRow)
    assert naive.consented_at == datetime(2026, 1, 10, 9, 30, tzinfo=UTC)
    assert isinstance(day, ConsentRow)
    assert day.consented_at == datetime(2026, 1, 10, tzinfo=UTC)


def test_a_refused_row_keeps_the_phone_as_written_and_the_ref() -> None:
    row = read_row(
        3, {"phone": "12", "consent": "express", "ref": "crm-9"}, default_region="US", now=NOW
    )
    assert isinstance(row, Refused)
    assert (row.line, row.reason, row.phone, row.ref) == (3, "invalid_phone", "12", "crm-9")


def test_the_file_is_read_in_batches_with_lines_as_the_file_numbers_them() -> None:
    body = (
        "\ufeffRef,Phone,Consent,Consent_Source,Consent_At,Consent_Text,Extra\n"
        "a,4155552671,express,web,2026-01-10,ok,ignored\n"
        "\n"
        "b,4155552672,implied,shop,2026-01-10,,\n"
        "c,4155552673,none\n"
        "d,4155552674,express,web,2026-01-10,ok,x,too many\n"
        "e,4155552675,bogus,web,2026-01-10,,\n"
    )
    file = io.BytesIO(body.encode())

    batches = list(read_batches(file, default_region="US", now=NOW, batch_rows=2))

    assert [b.rows_read for b in batches] == [2, 2, 1]
    assert [(r.line, r.consent, r.ref) for b in batches for r in b.rows] == [
        (2, "express", "a"),
        (4, "implied", "b"),
        (5, "none", "c"),
    ]
    assert [(r.line, r.reason) for b in batches for r in b.refused] == [
        (6, "malformed_row"),
        (7, "invalid_consent"),
    ]
    assert batches[-1].bytes_read == len(body.encode())


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", "the file is empty"),
        (b"number,consent\n1,express\n", "no phone column"),
        (b"phone\n4155552671\n", "no consent column"),
        (b"phone,consent\n4155552671,none\n\xff\n", "line 3 is not UTF-8 text"),
    ],
)
def test_a_file_that_is_no_consent_csv_is_refused_whole(body: bytes, error: str) -> None:
    with pytest.raises(ConsentFileError, match=error):
        list(read_batches(io.BytesIO(body), default_region="US", now=NOW))


CONTEXT = ImportContext(
    import_id=12, scope="all", actor="crm", filename="f.csv", revocation_scope="all", now=NOW
)


def a_row(consent: str) -> ConsentRow:
    return ConsentRow(4, PERSON, consent, "web", NOW, AGREED, "r1")  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    label: str
    consent: str
    state: dict[str, object]
    expected: str
    """granted / revoked / opted_out / nothing."""
    suppression: str | None = None
    scope: str = "all"
    revocation_scope: str = "all"


CASES = [
    Case("express for someone unknown", "express", {}, "granted"),
    Case("implied for someone opted in", "implied", {"status": "opted_in"}, "granted"),
    Case(
        "express never re-subscribes someone who said STOP",
        "express",
        {"status": "opted_out", "suppressed": True},
        "opted_out",
    ),
    Case("nor does implied", "implied", {"status": "opted_out", "suppressed": True}, "opted_out"),
    Case(
        "a grant of every purpose to someone out of marketing only",
        "express",
        {"revoked": frozenset({"marketing"})},
        "opted_out",
    ),
    Case(
        "a marketing grant to someone out of transactional only",
        "express",
        {"revoked": frozenset({"transactional"})},
        "granted",
        scope="marketing",
    ),
    Case("a revocation suppresses", "revoked", {}, "revoked", suppression="suppress"),
    Case(
        "a revocation of someone suppressed already: evidence only",
        "revoked",
        {"status": "opted_out", "suppressed": True},
        "revoked",
    ),
    Case(
        "a marketing revocation under scope all ends everything",
        "revoked",
        {},
        "revoked",
        suppression="suppress",
        scope="marketing",
    ),
    Case(
        "a marketing revocation under scope purpose ends marketing",
        "revoked",
        {},
        "revoked",
        scope="marketing",
        revocation_scope="purpose",
    ),
    Case("none records nothing", "none", {}, "nothing"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_what_an_accepted_row_does(case: Case) -> None:
    context = ImportContext(
        import_id=12,
        scope=case.scope,
        actor="crm",
        filename="f.csv",
        revocation_scope=case.revocation_scope,
        now=NOW,  # type: ignore[arg-type]
    )
    outcome = decide_row(a_row(case.consent), a_state(**case.state), context, entry_id="E1")

    if isinstance(outcome, Decision):
        assert outcome.entry is not None
        assert outcome.entry.action == case.expected
        assert outcome.suppression == case.suppression
        assert (outcome.entry.source, outcome.entry.actor) == ("import", "crm")
        expected_scope = (
            case.scope
            if case.revocation_scope == "purpose" or (case.consent != "revoked")
            else "all"
        )
        assert outcome.entry.scope == expected_scope
    elif isinstance(outcome, Refused):
        assert (outcome.reason, outcome.line, outcome.ref) == (case.expected, 4, "r1")
    else:
        assert case.expected == "nothing"


def test_a_grant_keeps_the_import_and_the_evidence_in_the_entry() -> None:
    decision = decide_row(a_row("express"), a_state(), CONTEXT, entry_id="E1")

    assert isinstance(decision, Decision)
    assert decision.entry is not None
    assert decision.entry.consent_type == "express"
    assert decision.entry.received_at == NOW
    assert decision.entry.evidence.details == {
        "import_id": "12",
        "line": "4",
        "consent_source": "web",
        "consent_text": AGREED,
        "ref": "r1",
        "filename": "f.csv",
    }
    assert (decision.events[0].phone, decision.events[0].entry_id) == (PERSON, "E1")


def test_the_counts_keep_the_first_refused_rows_by_line_and_say_who_was_kept_opted_out() -> None:
    counts = ImportCounts()
    counts.refuse([Refused(9, "invalid_phone", "x"), Refused(3, "invalid_consent", "x")])
    counts.refuse([Refused(5, "duplicate", "x")], count=40)
    counts.refuse([Refused(2, "opted_out", "x")])
    counts.applied_one(decide_row(a_row("express"), a_state(), CONTEXT, entry_id="E1"))
    counts.applied_one(None)

    assert [r.line for r in counts.refused_rows] == [2, 3, 5, 9]
    assert counts.refused_by_reason == {
        "invalid_phone": 1,
        "invalid_consent": 1,
        "duplicate": 40,
        "opted_out": 1,
    }
    assert (counts.refused, counts.kept_opted_out, counts.granted, counts.no_consent) == (
        43,
        1,
        1,
        1,
    )
    assert counts.note == (
        "1 granted, 0 revoked, 43 refused (1 already opted out and kept opted out: an import "
        "never re-subscribes anyone, only the person's own START does)."
    )


@pytest.mark.parametrize(
    ("status", "read", "applied", "expected"),
    [
        ("running", (0, 100), (0, 0), 0.0),
        ("running", (100, 100), (0, 10), 50.0),
        ("running", (100, 100), (5, 10), 75.0),
        ("running", (100, 100), (10, 10), 99.9),
        ("succeeded", (100, 100), (10, 10), 100.0),
    ],
)
def test_percent_is_half_reading_half_applying(
    status: str, read: tuple[int, int], applied: tuple[int, int], expected: float
) -> None:
    assert (
        percent_done(
            status=status,
            bytes_read=read[0],
            file_bytes=read[1],
            applied=applied[0],
            numbers=applied[1],
        )
        == expected
    )
