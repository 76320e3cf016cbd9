"""Contact imports as data: the CSV reader (exactly what the csv.DictReader version it replaced
read), an import's counts and first errors after each chunk, the chunks read from a file, the
staging rows and the ids of the contacts an import creates."""

import csv
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

from smsbus.campaigns.domain.contacts import STANDARD, ContactRow, RowError, read_csv
from smsbus.campaigns.domain.imports import (
    ERRORS_KEPT,
    ChunkDone,
    Duplicate,
    Progress,
    duplicate_errors,
    percent_done,
)
from smsbus.campaigns.domain.phones import InvalidPhone, normalise
from smsbus.campaigns.imports.chunks import UnreadableFile, read_chunks
from smsbus.campaigns.store.import_chunks import contact_id_prefix, staging_row


def read_csv_as_before(
    lines: Iterable[str], *, mapping: Mapping[str, str] | None = None, region: str = "US"
) -> Iterator[ContactRow | RowError]:
    """The reader before this change (csv.DictReader, names worked out per row), less its zip
    and NUL checks, which are new: the reference for the one that replaced it."""
    reader = csv.DictReader(lines)
    columns = mapping or {}
    for record in reader:
        line = reader.line_num
        standard: dict[str, str] = {}
        custom: dict[str, str] = {}
        for column, value in record.items():
            if column is None:
                yield RowError(line, "more values than columns")
                break
            name = columns.get(column, column.strip().lower().replace(" ", "_"))
            text = (value or "").strip()
            if name in STANDARD:
                standard[name] = text
            elif text:
                custom[name] = text
        else:
            raw = standard.get("phone", "")
            try:
                phone = normalise(raw, region=region)
            except InvalidPhone as exc:
                yield RowError(line, str(exc), raw or None)
                continue
            yield ContactRow(line, phone, {k: v for k, v in standard.items() if v}, custom)


CSVS = {
    "plain": "first_name,phone,plan\nAnn,212-555-0123,gold\nBob,bad,\n",
    "blank lines skipped, numbering kept": "phone,plan\n\n2125550123,a\n\n\n3125550144,b\n",
    "short rows padded": "phone,first_name,plan\n2125550123\n3125550144,Bo\n",
    "long row": "phone,plan\n2125550123,a,extra\n3125550144,b\n",
    "a column named twice: its last value": "phone,plan,plan\n2125550123,first,\n3125550144,,second\n",
    "two columns onto one field": "Mobile,phone\n2125550123,\n,3125550144\n",
    "quoted newline counts its lines": 'phone,note\n2125550123,"two\nlines"\n3125550144,x\n',
    "spaces and case in names": " First Name ,PHONE, Zip Code \nAnn,2125550123,10001\n",
    "header only": "phone,plan\n",
    "empty file": "",
    "blank first line": "\nphone\n2125550123\n",
}
MAPPINGS: dict[str, dict[str, str]] = {
    "two columns onto one field": {"Mobile": "phone"},
}


@pytest.mark.parametrize("name", CSVS)
def test_the_reader_reads_what_the_dict_reader_read(name: str) -> None:
    lines = CSVS[name].splitlines(keepends=True)
    mapping = MAPPINGS.get(name)
    assert list(read_csv(lines, mapping=mapping)) == list(
        read_csv_as_before(lines, mapping=mapping)
    )


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("2125550123,123456789012", "zip longer than 10 characters"),
        ("2125550123,1\x0001", "NUL character in a value"),
    ],
)
def test_rows_postgresql_could_not_hold_are_rejected_with_a_reason(row: str, reason: str) -> None:
    assert list(read_csv(["phone,zip\n", row + "\n"])) == [
        RowError(2, reason, "123456789012" if "zip" in reason else None)
    ]


STATES = [
    ("FL", "FL"),
    ("fl", "FL"),
    ("Florida", "FL"),
    ("New York", "NY"),
    ("texas", "TX"),
    ("", None),
]


@pytest.mark.parametrize(("written", "code"), STATES)
def test_a_state_is_read_as_its_code(written: str, code: str | None) -> None:
    (row,) = read_csv(["phone,state,zip\n", f"2125550123,{written},33101\n"])
    assert isinstance(row, ContactRow)
    assert row.standard.get("state") == code
    assert row.standard["zip"] == "33101"


def test_a_state_that_is_none_is_a_bad_row() -> None:
    # "New York" cut to two letters was Nebraska's rules; a guess is never made.
    assert list(read_csv(["phone,state\n", "2125550123,Narnia\n"])) == [
        RowError(2, "unknown state", "Narnia")
    ]


def test_progress_keeps_the_first_errors_in_file_order_and_sums_the_counts() -> None:
    def error(line: int) -> RowError:
        return RowError(line, "not a valid number", "x")

    first = ChunkDone(
        rows_read=100, bytes_read=1000, invalid=60, invalid_sample=tuple(error(n) for n in range(2, 62)),
        imported=30, created=20, duplicates=10,
        duplicate_sample=tuple(RowError(n, "duplicate of line 2", "y") for n in range(62, 72)),
    )  # fmt: skip
    second = ChunkDone(
        rows_read=200, bytes_read=3000, invalid=150, invalid_sample=tuple(error(n) for n in range(102, 202)),
        imported=40, created=40, duplicates=1, duplicate_sample=(RowError(101, "duplicate of line 3", "z"),),
    )  # fmt: skip
    progress = Progress().after(first).after(second)
    assert (progress.rows_read, progress.bytes_read, progress.imported, progress.created) == (
        300,
        3000,
        70,
        60,
    )
    assert (progress.invalid, progress.duplicates) == (210, 11)
    assert len(progress.errors) == ERRORS_KEPT
    assert [e.line for e in progress.errors] == [*range(2, 72), 101, *range(102, 131)]


def test_a_repeat_within_a_chunk_of_a_row_that_repeats_an_earlier_chunk_names_the_first_line() -> (
    None
):
    within = (Duplicate(line=90, phone="+12125550123", first_line=80),)
    across = (
        Duplicate(line=80, phone="+12125550123", first_line=3),
        Duplicate(85, "+13125550144", 4),
    )
    assert duplicate_errors(within, across) == (
        RowError(80, "duplicate of line 3", "+12125550123"),
        RowError(85, "duplicate of line 4", "+13125550144"),
        RowError(90, "duplicate of line 3", "+12125550123"),
    )


@pytest.mark.parametrize(
    ("status", "read", "size", "percent"),
    [
        ("queued", 0, 1000, 0.0),
        ("running", 333, 1000, 33.3),
        ("running", 1000, 1000, 99.9),  # the last chunk is still being merged
        ("succeeded", 1000, 1000, 100.0),
        ("succeeded", 0, 0, 100.0),
        ("failed", 500, 1000, 50.0),
        ("running", 0, 0, 0.0),
    ],
)
def test_percent_done(status: str, read: int, size: int, percent: float) -> None:
    assert percent_done(status=status, bytes_read=read, file_bytes=size) == percent


def test_chunks_carry_the_rows_to_merge_as_csv_and_the_rest_as_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    rows = ["\ufeffphone,first_name,plan", "212-555-0123,Ann,gold", "bad,Bob,", "(212) 555-0123,Again,",
            '3125550144,"Tab\tand ""quotes"", and\nnewline",silver', "6175550145,,", "3125550144,x,"]  # fmt: skip
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    chunks = list(read_chunks(path, mapping={}, region="US", rows=4))
    assert [(c.rows_read, c.invalid, c.duplicates) for c in chunks] == [(4, 1, 1), (2, 0, 0)]
    assert chunks[-1].bytes_read == path.stat().st_size
    assert chunks[0].invalid_sample == (
        RowError(
            3,
            "not a phone number: (1) The string supplied did not seem to be a phone number.",
            "bad",
        ),
    )
    assert chunks[0].duplicate_sample == (Duplicate(4, "+12125550123", 2),)
    staged = list(csv.reader(chunks[0].copy_text.decode().splitlines(keepends=True)))
    assert staged == [
        ["2", "+12125550123", "Ann", "", "", "", "", "", "", '{"plan":"gold"}'],
        [
            "6",
            "+13125550144",
            'Tab\tand "quotes", and\nnewline',
            "",
            "",
            "",
            "",
            "",
            "",
            '{"plan":"silver"}',
        ],
    ]
    # the second chunk's 3125550144 is a repeat of the first chunk's: the merge finds it
    assert chunks[1].copy_text.decode().splitlines() == [
        "7,+16175550145,,,,,,,,{}",
        "8,+13125550144,x,,,,,,,{}",
    ]


def test_a_file_that_is_not_utf8_stops_with_the_line_it_got_to(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"phone\n2125550123\n" + b"3125550144\n" * 3000 + b"\xff\xfe\n")
    with pytest.raises(UnreadableFile, match="line 3003 is not UTF-8 text"):
        list(read_chunks(path, mapping={}, region="US", rows=100_000))


def test_staging_rows_leave_empty_fields_null_and_cut_the_state() -> None:
    row = ContactRow(7, "+12125550123", {"first_name": "Ann", "state": "florida", "phone": "x"}, {})
    assert staging_row(row) == (7, "+12125550123", "Ann", None, None, None, "FL", None, None, "{}")


def test_an_imports_contact_ids_are_version_7_uuids_in_time_then_line_order() -> None:
    early = contact_id_prefix(at_ms=1_764_694_000_000, random_bits=2**48 - 1)
    late = contact_id_prefix(at_ms=1_764_694_000_001, random_bits=0)
    ids = [early + f"{line:08x}" for line in (2, 10, 4_000_000)] + [late + "00000002"]
    assert all(uuid.UUID(i).version == 7 and str(uuid.UUID(i)) == i for i in ids)
    assert ids == sorted(ids)
