"""bench/compliance: importing a large FTC do-not-call file through the HTTP API.

    ./uv run python bench/compliance/dnc_import.py [--numbers 1000000] [--area-codes 40]

Generates an FTC full-list file (`AAA,NNNNNNN` per line, `--area-codes` area codes), migrates a
schema of its own (dropped afterwards), POSTs the file to `/v1/dnc/imports` of the compliance
app in this process (httpx over ASGI, so the figure is the import, not a network) and polls the
import it started (202) until it has succeeded. Then imports a change list of 1 % of the numbers
(half deletes, half adds), and, as baselines measured in the same run, parses the file without
a database and COPYs pre-parsed numbers straight into an unindexed table with asyncpg (the
floors of any import). Prints seconds (POST → succeeded), numbers/s, the progress the first
import reported while it ran, and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
from import_rig import Imported, compliance_app, imported, say

from smsbus.compliance.domain.dnc import DncParser

POLL = 0.1


def write_full_list(path: Path, numbers: int, area_codes: int, rng: random.Random) -> list[str]:
    areas = rng.sample(range(201, 990), area_codes)
    lines = sorted(
        {f"{areas[i % area_codes]},{rng.randrange(2_000_000, 10_000_000)}" for i in range(numbers)}
    )
    path.write_text("\n".join(lines) + "\n")
    return lines


def write_change_list(path: Path, lines: list[str], rng: random.Random) -> int:
    share = max(2, len(lines) // 100)
    deleted = rng.sample(lines, share // 2)
    added = [f"{line.split(',')[0]},{rng.randrange(2_000_000, 10_000_000)}" for line in deleted]
    records = [f"{x},2026-01-05,D" for x in deleted] + [f"{x},2026-01-05,A" for x in added]
    path.write_text("\n".join(records) + "\n")
    return len(records)


async def dnc_import(api: httpx.AsyncClient, path: Path, fmt: str) -> Imported:
    with path.open("rb") as file:
        return await imported(
            api,
            "/v1/dnc/imports",
            poll=POLL,
            label=f"the import of {path.name}",
            files={"file": (path.name, file, "text/plain")},
            data={"format": fmt},
        )


def parse_only(path: Path) -> float:
    """The pure parser over the file, no database: the Python share of an import."""
    parser = DncParser("ftc_full")
    started = time.perf_counter()
    with path.open(encoding="utf-8") as file:
        for line in file:
            parser.parse(line)
    return time.perf_counter() - started


async def copy_baseline(database_url: str, schema: str, lines: list[str]) -> float:
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f"CREATE TABLE {schema}.copy_floor (phone text)")
        records = [(f"+1{line.replace(',', '')}",) for line in lines]
        started = time.perf_counter()
        await connection.copy_records_to_table(
            "copy_floor", records=records, columns=["phone"], schema_name=schema
        )
        return time.perf_counter() - started
    finally:
        await connection.close()


async def main(numbers: int, area_codes: int) -> None:
    load_before = os.getloadavg()[0]
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        full, change = Path(tmp) / "ftc-full.txt", Path(tmp) / "ftc-change.txt"
        lines = write_full_list(full, numbers, area_codes, rng)
        changes = write_change_list(change, lines, rng)
        size = full.stat().st_size / 1e6
        async with compliance_app() as compliance:
            first = await dnc_import(compliance.api, full, "ftc_full")
            again = await dnc_import(compliance.api, full, "ftc_full")
            changed = await dnc_import(compliance.api, change, "ftc_change")
            floor_s = await copy_baseline(compliance.database_url, compliance.schema, lines)
            parse_s = parse_only(full)
    n = len(lines)
    say(
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before the run; "
        f"{n:,} numbers in {area_codes} area codes, {size:.1f} MB"
    )
    full_s, again_s, change_s = first.seconds, again.seconds, changed.seconds
    say(
        f"full list, new         {full_s:7.2f} s  {n / full_s:10,.0f} numbers/s  "
        f"added {first.job['added']:,} total {first.job['total']:,}"
    )
    say(
        f"full list, same again  {again_s:7.2f} s  {n / again_s:10,.0f} numbers/s  "
        f"added {again.job['added']:,} removed {again.job['removed']:,}"
    )
    say(
        f"change list            {change_s:7.2f} s  {changes / change_s:10,.0f} records/s  "
        f"added {changed.job['added']:,} removed {changed.job['removed']:,}"
    )
    say(f"progress polled while the first ran: {first.progress()}")
    say(f"baseline: parse only   {parse_s:7.2f} s  {n / parse_s:10,.0f} numbers/s  (no database)")
    say(f"baseline: bare COPY    {floor_s:7.2f} s  {n / floor_s:10,.0f} numbers/s  (parsed rows)")
    say(f"full import / (parse + COPY) = {full_s / (parse_s + floor_s):.1f}x the time")
    say(f"under a minute for 1M: {'yes' if full_s * 1_000_000 / n < 60 else 'NO'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--numbers", type=int, default=1_000_000)
    parser.add_argument("--area-codes", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(main(args.numbers, args.area_codes))
