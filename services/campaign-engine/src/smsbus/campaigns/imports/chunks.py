"""An import's file read as chunks of COPY-ready rows. Synchronous and CPU-bound: the job runs
it in a worker thread, a chunk at a time, so that the event loop keeps serving."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from smsbus.campaigns.domain.contacts import CONSENT, RowError, read_csv
from smsbus.campaigns.domain.imports import ERRORS_KEPT, Duplicate
from smsbus.campaigns.store.import_chunks import staging_row


class UnreadableFile(ValueError):
    """The file stops being a UTF-8 CSV somewhere: the import fails with this reason."""


@dataclass
class Chunk:
    copy_text: bytes
    """The rows to merge, as the staging table's COPY input (CSV); their phones are distinct."""
    rows_read: int
    bytes_read: int
    invalid: int
    invalid_sample: tuple[RowError, ...]
    """The chunk's first ERRORS_KEPT invalid rows."""
    duplicates: int
    """Rows whose phone an earlier row of this chunk has (earlier chunks: the merge finds them)."""
    duplicate_sample: tuple[Duplicate, ...]
    consent_rows: int = 0
    """Rows whose consent columns went to the consent file (for compliance)."""


CONSENT_HEADER = ("phone", *CONSENT, "ref")
"""The consent file handed to compliance: its import's columns; `ref` is the contacts file's
line, so compliance's refusals name it."""


@dataclass
class _Filling:
    """The chunk being read; `write` is what csv.writer writes its lines with."""

    lines: list[bytes] = field(default_factory=list)
    rows: int = 0
    invalid: list[RowError] = field(default_factory=list)
    invalid_count: int = 0
    repeated: list[Duplicate] = field(default_factory=list)
    repeated_count: int = 0
    first_line: dict[str, int] = field(default_factory=dict)
    consent_rows: int = 0

    def write(self, line: str) -> None:
        self.lines.append(line.encode())

    def done(self, bytes_read: int) -> Chunk:
        return Chunk(
            b"".join(self.lines), self.rows, bytes_read, self.invalid_count,
            tuple(self.invalid), self.repeated_count, tuple(self.repeated), self.consent_rows,
        )  # fmt: skip


def _decoded(raw: BinaryIO) -> Iterator[str]:
    """The file's lines as text (split at \\n, as POST /v1/contacts reads them)."""
    for number, line in enumerate(raw, start=1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise UnreadableFile(f"line {number} is not UTF-8 text") from None


def read_chunks(
    path: Path,
    *,
    mapping: Mapping[str, str],
    region: str,
    rows: int,
    consent: Any | None = None,
) -> Iterator[Chunk]:
    """The file, `rows` data rows per chunk (the last one shorter); never more than one chunk
    in memory. UTF-8 with or without a BOM. `consent` (a csv.writer) receives, for each row
    staged, its consent columns when it has any (CONSENT_HEADER's)."""
    with path.open("rb") as raw:
        items = read_csv(_decoded(raw), mapping=mapping, region=region)
        filling = _Filling()
        staged = csv.writer(filling, lineterminator="\n")
        last_line = 0
        while True:
            try:
                item = next(items, None)
            except csv.Error as exc:
                raise UnreadableFile(f"not CSV after line {last_line}: {exc}") from None
            if item is None:
                if filling.rows:
                    yield filling.done(raw.tell())
                return
            last_line = item.line
            filling.rows += 1
            if isinstance(item, RowError):
                filling.invalid_count += 1
                if len(filling.invalid) < ERRORS_KEPT:
                    filling.invalid.append(item)
            elif (first := filling.first_line.setdefault(item.phone, item.line)) != item.line:
                filling.repeated_count += 1
                if len(filling.repeated) < ERRORS_KEPT:
                    filling.repeated.append(Duplicate(item.line, item.phone, first))
            else:
                staged.writerow(staging_row(item))
                if item.consent and consent is not None:
                    given = item.consent.get
                    consent.writerow([item.phone, *(given(c, "") for c in CONSENT), item.line])
                    filling.consent_rows += 1
            if filling.rows >= rows:
                yield filling.done(raw.tell())
                filling = _Filling()
                staged = csv.writer(filling, lineterminator="\n")
