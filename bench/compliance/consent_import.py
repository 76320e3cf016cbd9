"""bench/compliance: a consent import (numbers with their consent and its evidence) through the
HTTP API.

    ./uv run python bench/compliance/consent_import.py [--rows 10000] [--chunk 1000]

Migrates a schema of its own (dropped afterwards), opts 5 % of the numbers out first (a consent
import of `revoked` rows, timed too), then POSTs the file — 70 % express, 10 % implied, 10 %
none, 10 % revoked, the opted-out ones among the express rows — to `/v1/consent/imports` of the
compliance app in this process (httpx over ASGI, so the figure is the import, not a network)
and polls the import it started (202) until it has succeeded. As the baseline measured in the
same run, the file is read and checked without a database (the Python floor of any import).
Prints seconds (POST → succeeded), rows/s, the counts, the progress polls saw, the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import time
from datetime import UTC, datetime

import httpx
from import_rig import Imported, compliance_app, imported, say

from smsbus.compliance.consent_reader import read_batches

KINDS = ("express",) * 7 + ("implied", "none", "revoked")
AGREED = "Yes, text me offers. Msg & data rates may apply. Reply STOP to stop."
POLL = 0.05


def phone(i: int) -> str:
    return f"+1{212 + i // 1_000_000 % 700}{200 + i // 10_000 % 800}{i % 10_000:04d}"


def consent_file(rows: int, kinds: tuple[str, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["phone", "consent", "consent_source", "consent_at", "consent_text", "ref"])
    for i in range(rows):
        kind = kinds[i % len(kinds)]
        given = kind != "none"
        writer.writerow([phone(i), kind, "web form" if given else "",
                         "2026-02-01T12:00:00Z" if given else "",
                         AGREED if kind == "express" else "", f"crm-{i}"])  # fmt: skip
    return out.getvalue().encode()


def opt_out_file(rows: int) -> bytes:
    """Every 20th number (an express row of the main file: 20 is a multiple of 10) revoked."""
    lines = ["phone,consent,consent_source,consent_at"]
    lines += [f"{phone(i)},revoked,call centre,2026-01-15" for i in range(0, rows, 20)]
    return ("\n".join(lines) + "\n").encode()


async def consent_import(api: httpx.AsyncClient, body: bytes) -> Imported:
    files = {"file": ("f.csv", body, "text/csv")}
    return await imported(api, "/v1/consent/imports", poll=POLL, files=files)


def read_only(body: bytes) -> float:
    started = time.perf_counter()
    for _ in read_batches(io.BytesIO(body), default_region="US", now=datetime.now(UTC)):
        pass
    return time.perf_counter() - started


async def main(rows: int, chunk: int) -> None:
    load_before = os.getloadavg()[0]
    body = consent_file(rows, KINDS)
    async with compliance_app(consent_import_chunk=chunk) as compliance:
        opt_outs = await consent_import(compliance.api, opt_out_file(rows))
        main_import = await consent_import(compliance.api, body)
    read_s = read_only(body)
    main_s, job = main_import.seconds, main_import.job
    say(
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before the run; {rows:,} rows, "
        f"{len(body) / 1e6:.1f} MB, {chunk:,} numbers per transaction"
    )
    say(f"opt-outs first   {opt_outs.seconds:7.2f} s  {opt_outs.job['revoked']:,} revoked")
    say(f"consent import   {main_s:7.2f} s  {rows / main_s:10,.0f} rows/s")
    figures = ("granted", "revoked", "no_consent", "kept_opted_out", "refused")
    say("  " + ", ".join(f"{name} {job[name]:,}" for name in figures))
    say(f"  {job['summary']}")
    say(f"progress polled while it ran: {main_import.progress()}")
    say(f"baseline: read and check only {read_s:7.2f} s  {rows / read_s:10,.0f} rows/s")
    say(f"import / read-only = {main_s / read_s:.1f}x the time")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.chunk))
