"""An uploaded consent file read as batches of rows: lines → CSV values → consent rows or
refusals (`domain/consent_import.py`). Synchronous and CPU-bound: the job runs it in a worker
thread, a batch at a time; nothing holds the whole file.

A UTF-8 CSV (a BOM allowed) with a header row naming the columns, in any order and case:
`phone` and `consent` are required, `consent_source`, `consent_at`, `consent_text`, `ref`
optional; other columns are ignored. Blank lines are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from smsbus.compliance.domain.consent_import import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ConsentRow,
    Refused,
    read_row,
)

BATCH_ROWS = 5000


class ConsentFileError(ValueError):
    """The file is no consent CSV (no header, a required column missing, not UTF-8, not CSV):
    the import fails with this reason and changes nothing."""


@dataclass
class Batch:
    rows: list[ConsentRow] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    rows_read: int = 0
    bytes_read: int = 0
    """The file's position after the batch."""


def read_batches(
    file: IO[bytes], *, default_region: str, now: datetime, batch_rows: int = BATCH_ROWS
) -> Iterator[Batch]:
    """The file's data rows, `batch_rows` per batch (the last one shorter)."""
    reader = csv.reader(_decoded(file))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ConsentFileError(f"not CSV: {exc}") from None
    if header is None:
        raise ConsentFileError("the file is empty: a header row naming the columns is needed")
    names = [name.strip().casefold() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ConsentFileError(
            f"no {' and no '.join(missing)} column in the header (columns: {', '.join(COLUMNS)})"
        )
    batch = Batch()
    while True:
        try:
            values = next(reader, None)
        except csv.Error as exc:
            raise ConsentFileError(f"not CSV after line {reader.line_num}: {exc}") from None
        if values is None:
            break
        if not values:
            continue
        batch.rows_read += 1
        batch_row(batch, reader.line_num, names, values, default_region=default_region, now=now)
        if batch.rows_read >= batch_rows:
            batch.bytes_read = file.tell()
            yield batch
            batch = Batch()
    batch.bytes_read = file.tell()
    yield batch


def batch_row(
    batch: Batch,
    line: int,
    names: list[str],
    values: list[str],
    *,
    default_region: str,
    now: datetime,
) -> None:
    if len(values) > len(names) or "\x00" in "".join(values):  # PostgreSQL text holds no NUL
        why = "more values than columns" if len(values) > len(names) else "a NUL character"
        phone = values[names.index("phone")] if len(values) > names.index("phone") else None
        batch.refused.append(Refused(line, "malformed_row", why, phone))
        return
    row = read_row(
        line, dict(zip(names, values, strict=False)), default_region=default_region, now=now
    )
    if isinstance(row, ConsentRow):
        batch.rows.append(row)
    else:
        batch.refused.append(row)


def _decoded(file: IO[bytes]) -> Iterator[str]:
    for number, line in enumerate(file, start=1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise ConsentFileError(f"line {number} is not UTF-8 text") from None
