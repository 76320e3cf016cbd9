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
MAX_EXAMPLES = 5

OnChunk = Callable[[], Awaitable[None]]


@dataclass
class ImportProgress:
    """What the reader has got through so far; `bytes_read` is the position in the uploaded
    file (of a zip, in the archive)."""

    bytes_read: int = 0
    records: int = 0
    invalid_lines: int = 0
    examples: list[str] = field(default_factory=list)


async def records_from_upload(
    file: IO[bytes],
    *,
    fmt: DncFormat,
    default_region: str,
    max_invalid_lines: int,
    progress: ImportProgress,
    on_chunk: OnChunk | None = None,
    chunk_size: int = CHUNK,
) -> AsyncIterator[DncRecord]:
    """Raises DncFileError when the file is not a DNC file or has too many invalid lines.
    `on_chunk` is awaited after each chunk's records were taken (progress reports)."""
    head = await asyncio.to_thread(file.read, len(_ZIP_MAGIC))
    await asyncio.to_thread(file.seek, 0)

    async def chunk_done() -> None:
        progress.bytes_read = file.tell()
        if on_chunk is not None:
            await on_chunk()

    reader = _Reader(fmt, default_region, max_invalid_lines, progress, chunk_done, chunk_size)
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
                    async for record in reader.records(member, info.filename):
                        yield record
    else:
        async for record in reader.records(file, None):
            yield record
    if progress.records == 0:
        raise DncFileError("the file holds no phone numbers")


@dataclass
class _Reader:
    fmt: DncFormat
    default_region: str
    max_invalid_lines: int
    progress: ImportProgress
    chunk_done: OnChunk
    chunk_size: int

    async def records(self, file: IO[bytes], member: str | None) -> AsyncIterator[DncRecord]:
        splitter = LineSplitter()
        parser = DncParser(self.fmt, default_region=self.default_region)
        where = f"{member}: " if member else ""
        progress = self.progress
        while True:
            chunk = await asyncio.to_thread(file.read, self.chunk_size)
            lines = splitter.feed(chunk) if chunk else splitter.finish()
            for line in lines:
                result = parser.parse(line)
                if isinstance(result, DncRecord):
                    progress.records += 1
                    yield result
                elif isinstance(result, DncLineError):
                    progress.invalid_lines += 1
                    if len(progress.examples) < MAX_EXAMPLES:
                        progress.examples.append(f"{where}line {result.line_no}: {result.reason}")
                    if progress.invalid_lines > self.max_invalid_lines:
                        raise DncFileError(
                            f"{progress.invalid_lines} invalid line(s), more than the "
                            f"{self.max_invalid_lines} allowed; " + "; ".join(progress.examples)
                        )
            if not chunk:
                return
            await self.chunk_done()
