"""An uploaded DNC file as an async stream of records: chunks → lines → records, with zip
archives (the FTC ships zips) read member by member. Nothing holds the whole file."""

from __future__ import annotations

import asyncio
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import IO

from smsbus.compliance.domain.dnc import (
    DncFileError,
    DncFormat,
    DncLineError,
    DncParser,
    DncRecord,
    LineSplitter,
)

CHUNK = 1024 * 1024
_ZIP_MAGIC = b"PK\x03\x04"

Read = Callable[[int], Awaitable[bytes]]


@dataclass
class ImportProblems:
    invalid_lines: int = 0
    examples: list[str] = field(default_factory=list)


async def records_from_upload(
    file: IO[bytes],
    *,
    fmt: DncFormat,
    default_region: str,
    max_invalid_lines: int,
    problems: ImportProblems,
) -> AsyncIterator[DncRecord]:
    """Raises DncFileError when the file is not a DNC file or has too many invalid lines."""
    head = await asyncio.to_thread(file.read, len(_ZIP_MAGIC))
    await asyncio.to_thread(file.seek, 0)
    found = 0
    if head == _ZIP_MAGIC:
        try:
            archive = zipfile.ZipFile(file)
        except zipfile.BadZipFile as exc:
            raise DncFileError(f"a broken zip archive: {exc}") from None
        with archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    async for record in _records(
                        _reader(member),
                        fmt,
                        default_region,
                        max_invalid_lines,
                        problems,
                        info.filename,
                    ):
                        found += 1
                        yield record
    else:
        async for record in _records(
            _reader(file), fmt, default_region, max_invalid_lines, problems, None
        ):
            found += 1
            yield record
    if found == 0:
        raise DncFileError("the file holds no phone numbers")


def _reader(file: IO[bytes]) -> Read:
    async def read(size: int) -> bytes:
        return await asyncio.to_thread(file.read, size)

    return read


async def _records(
    read: Read,
    fmt: DncFormat,
    default_region: str,
    max_invalid_lines: int,
    problems: ImportProblems,
    member: str | None,
) -> AsyncIterator[DncRecord]:
    splitter = LineSplitter()
    parser = DncParser(fmt, default_region=default_region)
    where = f"{member}: " if member else ""
    while True:
        chunk = await read(CHUNK)
        lines = splitter.feed(chunk) if chunk else splitter.finish()
        for line in lines:
            result = parser.parse(line)
            if isinstance(result, DncRecord):
                yield result
            elif isinstance(result, DncLineError):
                problems.invalid_lines += 1
                if len(problems.examples) < 5:
                    problems.examples.append(f"{where}line {result.line_no}: {result.reason}")
                if problems.invalid_lines > max_invalid_lines:
                    raise DncFileError(
                        f"{problems.invalid_lines} invalid line(s), more than the "
                        f"{max_invalid_lines} allowed; " + "; ".join(problems.examples)
                    )
        if not chunk:
            return
