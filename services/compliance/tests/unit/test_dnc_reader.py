"""The upload reader's progress: what it has got through after each chunk (the job reports it)."""

import io
import zipfile

import pytest

from smsbus.compliance.dnc_import import ImportProgress, records_from_upload
from smsbus.compliance.domain.dnc import DncFileError

NUMBERS = b"".join(b"20155501%02d\n" % i for i in range(100))  # 11 bytes a line


async def after_each_chunk(data: bytes, chunk_size: int) -> list[tuple[int, int]]:
    """(bytes read, records) after each chunk."""
    progress = ImportProgress()
    seen: list[tuple[int, int]] = []

    async def on_chunk() -> None:
        seen.append((progress.bytes_read, progress.records))

    records = records_from_upload(
        io.BytesIO(data),
        fmt="plain",
        default_region="US",
        max_invalid_lines=0,
        progress=progress,
        on_chunk=on_chunk,
        chunk_size=chunk_size,
    )
    assert len([record async for record in records]) == progress.records
    return seen


async def test_progress_counts_bytes_and_the_records_of_whole_lines() -> None:
    assert await after_each_chunk(NUMBERS, 256) == [
        (256, 23),
        (512, 46),
        (768, 69),
        (1024, 93),
        (1100, 100),
    ]


async def test_progress_through_a_zip_is_the_position_in_the_archive() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", NUMBERS[:550])
        archive.writestr("b.txt", NUMBERS[550:])
    seen = await after_each_chunk(buffer.getvalue(), 256)
    assert seen[-1][1] == 100
    positions = [position for position, _ in seen]
    assert positions == sorted(positions)
    assert 1100 <= positions[-1] <= len(buffer.getvalue())


async def test_an_empty_file_holds_no_numbers() -> None:
    with pytest.raises(DncFileError, match="no phone numbers"):
        await after_each_chunk(b"", 256)
