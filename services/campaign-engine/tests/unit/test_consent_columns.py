"""The contacts CSV's consent columns: read apart from the contact's fields, and written, for
each row the import stages, to the consent file compliance is handed (its line as `ref`)."""

import csv
import io
from pathlib import Path

from smsbus.campaigns.domain.contacts import ContactRow, read_csv
from smsbus.campaigns.imports.chunks import CONSENT_HEADER, read_chunks

BODY = (
    "Phone,First Name,Consent,Consent_Source,consent_at,Consent Text,Tier\n"
    "2125550101,Ann,express,web,2026-01-10,Yes please,gold\n"
    "2125550102,Bob,,,,,silver\n"
    "2125550101,Ann twice,revoked,web,2026-01-11,,gold\n"
    "not a phone,Cy,express,web,2026-01-10,x,\n"
    "2125550104,Di,implied,shop,2026-01-12,,\n"
)


def test_consent_columns_are_no_contact_fields() -> None:
    rows = [r for r in read_csv(BODY.splitlines()) if isinstance(r, ContactRow)]

    assert [(r.line, r.consent) for r in rows] == [
        (2, {"consent": "express", "consent_source": "web", "consent_at": "2026-01-10",
             "consent_text": "Yes please"}),
        (3, {}),
        (4, {"consent": "revoked", "consent_source": "web", "consent_at": "2026-01-11"}),
        (6, {"consent": "implied", "consent_source": "shop", "consent_at": "2026-01-12"}),
    ]  # fmt: skip
    assert rows[0].custom == {"tier": "gold"}
    assert rows[0].standard["first_name"] == "Ann"


def test_each_staged_row_with_consent_goes_to_the_consent_file(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(BODY)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CONSENT_HEADER)

    chunks = list(read_chunks(path, mapping={}, region="US", rows=3, consent=writer))

    # Line 4 repeats line 2 in its chunk: not staged (a repeat of an earlier chunk's row is,
    # and compliance's import keeps the first line of a number).
    assert [c.consent_rows for c in chunks] == [1, 1]
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["phone", "consent", "consent_source", "consent_at", "consent_text", "ref"],
        ["+12125550101", "express", "web", "2026-01-10", "Yes please", "2"],
        ["+12125550104", "implied", "shop", "2026-01-12", "", "6"],
    ]
