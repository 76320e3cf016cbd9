"""A contact import's progress as data: the counts after each chunk, the first rejected rows in
file order, and how far through the file it is."""

from __future__ import annotations

from dataclasses import dataclass, replace

from smsbus.campaigns.domain.contacts import RowError

ERRORS_KEPT = 100
"""Rejected rows listed (the first ones in the file); the counts cover them all."""
STATUSES = ("queued", "running", "succeeded", "failed")
FINISHED = frozenset({"succeeded", "failed"})


@dataclass(frozen=True)
class Duplicate:
    """A row whose phone an earlier row of the file has (that row's contact is imported)."""

    line: int
    phone: str
    first_line: int


def duplicate_errors(
    within: tuple[Duplicate, ...], across: tuple[Duplicate, ...]
) -> tuple[RowError, ...]:
    """A chunk's duplicates as rejected rows, in line order. `within` are found by the reader
    (an earlier row of the chunk), `across` by the merge (an earlier chunk's row); a row
    repeating, within its chunk, a row that itself repeats an earlier chunk's names the first
    line of all."""
    first_of = {d.line: d.first_line for d in across}
    found = [
        RowError(d.line, f"duplicate of line {first_of.get(d.first_line, d.first_line)}", d.phone)
        for d in within + across
    ]
    return tuple(sorted(found, key=lambda e: e.line))


@dataclass(frozen=True)
class ChunkDone:
    """What one chunk of the file came to: read and parsed, then merged."""

    rows_read: int
    bytes_read: int
    """The file's position after the chunk."""
    invalid: int
    invalid_sample: tuple[RowError, ...]
    imported: int
    created: int
    duplicates: int
    duplicate_sample: tuple[RowError, ...]
    consent_rows: int = 0


@dataclass(frozen=True)
class Progress:
    rows_read: int = 0
    bytes_read: int = 0
    imported: int = 0
    created: int = 0
    invalid: int = 0
    duplicates: int = 0
    errors: tuple[RowError, ...] = ()
    consent_rows: int = 0
    """Rows with consent columns, handed to compliance once the contacts are in."""

    def after(self, chunk: ChunkDone) -> Progress:
        """Chunks come in file order, so the first ERRORS_KEPT errors of the file are those
        kept so far followed by the chunk's own, in line order."""
        room = ERRORS_KEPT - len(self.errors)
        rejected = sorted(chunk.invalid_sample + chunk.duplicate_sample, key=lambda e: e.line)
        return replace(
            self,
            rows_read=self.rows_read + chunk.rows_read,
            bytes_read=chunk.bytes_read,
            imported=self.imported + chunk.imported,
            created=self.created + chunk.created,
            invalid=self.invalid + chunk.invalid,
            duplicates=self.duplicates + chunk.duplicates,
            errors=self.errors + tuple(rejected[: max(room, 0)]),
            consent_rows=self.consent_rows + chunk.consent_rows,
        )


def percent_done(*, status: str, bytes_read: int, file_bytes: int) -> float:
    """By bytes of the file read; 100 only once it succeeded (the last chunk read is still
    being merged until then)."""
    if status == "succeeded":
        return 100.0
    if file_bytes <= 0:
        return 0.0
    return min(round(100.0 * bytes_read / file_bytes, 1), 99.9)
