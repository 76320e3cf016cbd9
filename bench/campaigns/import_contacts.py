"""bench/campaigns: a contacts CSV imported as a background job, rows/s and the engine's memory.

    ./uv run python bench/campaigns/import_contacts.py [--rows 1000000] [--baseline-rows 10000]

Writes a CSV of `--rows` data rows to a temporary file, a line at a time (first_name, last_name,
email, phone, state, city, zip and one custom column; the phones in four shapes: `+1…`,
`(…) …-…`, `…-…-…`, ten digits; about 1 % invalid rows and 1 % repeats of an earlier phone in
another shape). Runs campaign-engine as `python -m smsbus.campaigns` (no dispatching) on a schema
and topics of its own, dropped afterwards; uploads the file to `POST /v1/contacts/imports`,
then polls `GET /v1/contacts/imports/{id}` every 0.5 s until it finishes, while another task
samples the engine's VmRSS from /proc every 0.1 s. With `--with-list` the import also adds every
contact to a new list (`list_name`); without, a list is made of its contacts by import id
afterwards (`POST /v1/lists {"import_id"}`), timed on its own.

Prints rows/s (file rows, from the start of the upload to `succeeded`, and for the job alone),
the upload's seconds, the engine's peak RSS (the highest VmRSS sampled, and VmHWM), its CPU
seconds, how long GET /v1/contacts/imports/{id} took during the import (the event loop's
responsiveness), the time to make a list of the import's contacts by import id, and, in the
same run as the baseline (after the import, so that the RSS figures are the import's), the
synchronous `POST /v1/contacts` on `--baseline-rows` rows of the same shape (other phones).
Exits 1 unless the import's counts are exactly the file's (rows, invalid, duplicates, contacts
created) and every contact is in the list, or when the engine's peak RSS passed
`--max-rss-mib` (300).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

import smsbus.campaigns
from smsbus.campaigns.domain.phones import InvalidPhone, normalise
from smsbus.ingest.testing import free_port
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token
from bench_auth import HEADERS, SERVICE_ENV
from rig import REGISTRY, topic_env  # bench/campaigns

AREAS = ["212", "312", "617", "404", "713", "602", "303", "206", "415", "503", "615", "919"]
STATES = ["NY", "IL", "MA", "GA", "TX", "AZ", "CO", "WA", "CA", "OR", "TN", "NC"]
HEADER = "first_name,last_name,email,phone,state,city,zip,plan\n"
TICKS = os.sysconf("SC_CLK_TCK")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


@dataclass
class Expected:
    rows: int = 0
    invalid: int = 0
    duplicates: int = 0
    contacts: int = 0


def phone(i: int) -> tuple[str, str, str]:
    """The i-th distinct number as (area, exchange, line): 12 areas, 800 exchanges, 10,000 lines."""
    rest = i // len(AREAS)
    return AREAS[i % len(AREAS)], f"{200 + rest // 10_000 % 800}", f"{rest % 10_000:04d}"


def shaped(parts: tuple[str, str, str], shape: int) -> str:
    area, exchange, line = parts
    return (
        f"+1{area}{exchange}{line}",
        f"({area}) {exchange}-{line}",
        f"{area}-{exchange}-{line}",
        f"{area}{exchange}{line}",
    )[shape % 4]


def write_csv(path: Path, rows: int, *, first: int = 0) -> Expected:
    """The file, streamed; its expected counts (validity as the engine's parser decides)."""
    expected = Expected()
    seen: set[str] = set()
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        for n in range(rows):
            i = first + n
            if n % 97 == 50:
                number = ("not a phone", "555-01", "+1 011 555 0199")[n % 3]
            elif n % 101 == 60:
                number = shaped(phone(first + n - 50), n + 1)  # an earlier row's, reshaped
            else:
                number = shaped(phone(i), n)
            area = i % len(AREAS)
            out.write(
                f"Ann{i},Lee{i % 977},ann{i}@example.com,{number},{STATES[area]},"
                f"City{area},{10_000 + i % 89_999},{('gold', 'silver', 'bronze')[i % 3]}\n"
            )
            expected.rows += 1
            try:
                e164 = normalise(number)
            except InvalidPhone:
                expected.invalid += 1
                continue
            if e164 in seen:
                expected.duplicates += 1
            else:
                seen.add(e164)
    expected.contacts = len(seen)
    return expected


def proc(pid: int) -> tuple[int, int, float]:
    """(VmRSS, VmHWM) in KiB and CPU seconds of a process."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (
        int(fields["VmRSS"].split()[0]),
        int(fields["VmHWM"].split()[0]),
        (int(stat[11]) + int(stat[12])) / TICKS,
    )


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "smsbus.campaigns"],
            env={**os.environ, **env, **SERVICE_ENV, "SMSBUS_LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient(timeout=5, trust_env=False) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the engine exited; its log: {log}")
            try:
                if (await http.get(f"{url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    raise TimeoutError(f"the engine was not ready in 120 s; its log: {log}")


class RssSampler:
    """The engine's VmRSS every `every` seconds, until stopped."""

    def __init__(self, pid: int, every: float = 0.1) -> None:
        self.pid, self.every, self.peak, self._stop = pid, every, 0, asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, proc(self.pid)[0])
            await asyncio.sleep(self.every)

    def stop(self) -> None:
        self._stop.set()


async def baseline(api: httpx.AsyncClient, path: Path, rows: int) -> float:
    """The synchronous POST /v1/contacts on the same kind of file: rows/s."""
    started = time.perf_counter()
    with path.open("rb") as file:
        answer = await api.post("/v1/contacts", files={"file": ("base.csv", file, "text/csv")})
    answer.raise_for_status()
    return rows / (time.perf_counter() - started)


async def import_and_poll(
    api: httpx.AsyncClient, path: Path, *, with_list: bool
) -> tuple[dict[str, Any], float, float, list[float]]:
    """(the finished import, upload seconds, seconds to succeeded, GET latencies)."""
    started = time.perf_counter()
    with path.open("rb") as file:
        answer = await api.post(
            "/v1/contacts/imports",
            files={"file": ("contacts.csv", file, "text/csv")},
            data={"list_name": "bench import"} if with_list else {},
        )
    uploaded = time.perf_counter() - started
    assert answer.status_code == 202, answer.text
    location = answer.headers["location"]
    latencies: list[float] = []
    shown = 0.0
    while True:
        asked = time.perf_counter()
        state = (await api.get(location)).json()
        latencies.append(time.perf_counter() - asked)
        elapsed = time.perf_counter() - started
        if state["status"] in ("succeeded", "failed"):
            return state, uploaded, elapsed, latencies
        if elapsed - shown >= 5:
            shown = elapsed
            say(f"  {elapsed:5.1f} s  {state['status']:9} {state['percent']:5.1f} %  "
                f"rows {state['rows_read']:,}  imported {state['imported']:,}")  # fmt: skip
        await asyncio.sleep(0.5)


async def main(args: argparse.Namespace) -> int:
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    run = f"{int(time.time())}"
    schema = f"bench_imports_{run}"
    topics = {name: f"bench.{run}.{name}.v1" for name in REGISTRY}
    say("$ " + " ".join(shlex.quote(a) for a in ["./uv", "run", "python", *sys.argv]))
    say(f"cpus={os.cpu_count()} load={os.getloadavg()} at {datetime.now(UTC):%Y-%m-%d %H:%M}Z")
    work = Path(tempfile.mkdtemp(prefix="bench-imports-"))
    csv_path, base_path = work / "contacts.csv", work / "baseline.csv"
    started = time.perf_counter()
    expected = write_csv(csv_path, args.rows)
    write_csv(base_path, args.baseline_rows, first=50_000_000)
    say(f"file: {args.rows:,} rows, {csv_path.stat().st_size / 1e6:.1f} MB, written in "
        f"{time.perf_counter() - started:.1f} s; expected {expected}")  # fmt: skip

    migrations = Path(str(smsbus.campaigns.__file__)).parent / "migrations"
    await upgrade(database_url, schema=schema, script_location=migrations)
    await ensure_topics(bootstrap, topics.values(), partitions=1)
    db = make_engine(database_url, schema=schema)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "campaign-engine.log"
    engine = spawn({
        "SMSBUS_DATABASE_URL": database_url, "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
        "SMSBUS_CAMPAIGNS_PORT": str(port), "SMSBUS_CAMPAIGNS_DB_SCHEMA": schema,
        "SMSBUS_CAMPAIGNS_GROUP_ID": f"bench-imports-{run}", "SMSBUS_CAMPAIGNS_DISPATCH": "false",
        **topic_env("SMSBUS_CAMPAIGNS_", topics),
    }, log)  # fmt: skip
    failures: list[str] = []
    try:
        await ready(url, engine, log)
        idle_rss, _, idle_cpu = proc(engine.pid)
        async with httpx.AsyncClient(
            base_url=url, headers=HEADERS, timeout=600, trust_env=False
        ) as api:
            sampler = RssSampler(engine.pid)
            sampling = asyncio.create_task(sampler.run())
            cpu_before = proc(engine.pid)[2]
            state, uploaded, total, latencies = await import_and_poll(
                api, csv_path, with_list=args.with_list
            )
            sampler.stop()
            await sampling
            rss, hwm, cpu_after = proc(engine.pid)
            listed_at = time.perf_counter()
            made = await api.post("/v1/lists", json={"name": "by id", "import_id": state["id"]})
            listed = time.perf_counter() - listed_at
            before = await baseline(
                api, base_path, args.baseline_rows
            )  # after: RSS is the import's
        job = (
            datetime.fromisoformat(state["finished_at"])
            - datetime.fromisoformat(state["started_at"])
        ).total_seconds()
        latencies.sort()
        say(f"import {state['status']}: rows_read={state['rows_read']:,} "
            f"imported={state['imported']:,} created={state['created']:,} "
            f"invalid={state['invalid']:,} duplicates={state['duplicates']:,} "
            f"reason={state['reason']}")  # fmt: skip
        say(
            f"after:    {args.rows / total:,.0f} rows/s  ({args.rows:,} rows in {total:.1f} s: "
            f"upload {uploaded:.1f} s, then the job {job:.1f} s = {args.rows / job:,.0f} rows/s)"
        )
        say(f"before:   {before:,.0f} rows/s  (POST /v1/contacts, {args.baseline_rows:,} rows, "
            f"same run)  -> {args.rows / total / before:.0f}x")  # fmt: skip
        say(f"engine RSS: idle {idle_rss / 1024:.0f} MiB, peak sampled {sampler.peak / 1024:.0f} "
            f"MiB (+{(sampler.peak - idle_rss) / 1024:.0f} MiB), VmHWM {hwm / 1024:.0f} MiB, after "
            f"{rss / 1024:.0f} MiB; CPU {cpu_after - cpu_before:.1f} s during the import "
            f"({idle_cpu:.1f} s at start)")  # fmt: skip
        say(
            f"GET /v1/contacts/imports/{{id}} during the import: {len(latencies)} polls, p50 "
            f"{latencies[len(latencies) // 2] * 1e3:.0f} ms, max {latencies[-1] * 1e3:.0f} ms"
        )
        say(f"POST /v1/lists {{import_id}}: {made.json().get('size')} contacts in {listed:.2f} s")
        wanted = {
            "status": "succeeded", "rows_read": expected.rows, "invalid": expected.invalid,
            "duplicates": expected.duplicates, "imported": expected.contacts,
            "created": expected.contacts,
        }  # fmt: skip
        failures += [f"{k}: {state[k]} != {v}" for k, v in wanted.items() if state[k] != v]
        if made.status_code != 201 or made.json()["size"] != expected.contacts:
            failures.append(f"list by import id: {made.status_code} {made.text[:200]}")
        if sampler.peak > args.max_rss_mib * 1024:
            failures.append(
                f"peak RSS {sampler.peak / 1024:.0f} MiB > {args.max_rss_mib} MiB (the idle "
                f"engine had {idle_rss / 1024:.0f} MiB, the import added "
                f"{(sampler.peak - idle_rss) / 1024:.0f} MiB)"
            )
    finally:
        engine.terminate()
        engine.wait(timeout=30)
        await drop_schema(db, schema)
        await db.dispose()
        await delete_topics(bootstrap, list(topics.values()))
        for path in (csv_path, base_path):
            path.unlink(missing_ok=True)
    for failure in failures:
        say(f"FAILED {failure}")
    say(f"engine log: {log}")
    return 1 if failures else 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--max-rss-mib", type=int, default=300, help="fail above this peak RSS")
    parser.add_argument(
        "--with-list", action="store_true", help="the import also fills a new list (list_name)"
    )
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(arguments())))
