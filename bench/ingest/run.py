"""bench/ingest: realistic signed webhooks against three servers, one after the other.

    ./uv run python bench/ingest/run.py [--duration 15] [--concurrency 64] [--rate 500]
                                      [--profile out.txt] [--servers abc] [--rounds 1]

(a) bare FastAPI/uvicorn answering 202 (the HTTP stack's ceiling), (b) smsbus ingest
(`python -m smsbus.ingest`, acks=all to the local broker, on topics of its own), (c) verify +
INSERT into PostgreSQL, then 202 (the old system). Each gets a max-throughput run (closed loop,
`--concurrency` keep-alive connections) and a paced run at `--rate`/s; with `--rounds N` the
servers take turns N times at max throughput (the paced runs happen in the first round) and the
ratios are the medians of the rounds'. Every request is a fresh
webhook (new event id, object id and external number) from the samples of every event type and
generation, signed as OpenPhone signs (Standard Webhooks for 2026-03-30). Prints accepted/s,
p50/p95/p99/max latency, errors and CPU per process, then b/a and b/c. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import uvloop

from smsbus.ingest.testing import free_port, samples, signed
from smsbus.openphone.signing import SigningKey
from smsbus.runtime.kafka import delete_topics, ensure_topics

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
KEY_TEXT = "YmVuY2gtaW5nZXN0LXNpZ25pbmcta2V5LTAwMDAwMDA="
STANDARD_KEY_TEXT = "whsec_YmVuY2gtaW5nZXN0LXN0YW5kYXJkLWtleS0wMDA="
KEYS = {"openphone": SigningKey.parse(KEY_TEXT), "standard": SigningKey.parse(STANDARD_KEY_TEXT)}
THEM = "+19876543210"  # the external number in every sample; each request gets its own


def make_requests(count: int, *, seed: int) -> list[bytes]:
    """`count` raw HTTP/1.1 requests, each a fresh signed webhook, cycling through every sample."""
    rng = random.Random(seed)
    templates = []
    for item in samples():
        payload = item.payload()
        obj = payload["data"].get("object") or payload["data"].get("resource")
        object_id = obj.get("callId") or obj["id"]
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        templates.append((item.generation == "versioned", text, payload["id"], object_id))
    now, requests = time.time(), []
    for n in range(count):
        standard, text, event_id, object_id = templates[n % len(templates)]
        fresh = uuid.UUID(int=rng.getrandbits(128)).hex
        body = (
            text.replace(event_id, f"EV{fresh}")
            .replace(object_id, f"{object_id[:2]}{fresh}")
            .replace(THEM, f"+1987{rng.randrange(10**7):07d}")
            .encode()
        )
        key = KEYS["standard" if standard else "openphone"]
        headers = signed(body, key, now=now, standard=standard, webhook_id=f"msg_{fresh}")
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.append(
            f"POST /webhooks/openphone HTTP/1.1\r\nhost: 127.0.0.1\r\n{head}"
            f"content-length: {len(body)}\r\n\r\n".encode()
            + body
        )
    return requests


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, one request at a time; answers the status code."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # uvloop's transports do not subclass asyncio.Transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        start = head.find(b"content-length:")
        length = int(head[start + 15 : head.find(b"\r\n", start) % (len(head) + 1)].strip() or 0)
        if len(self.buffer) < end + 4 + length:
            return
        del self.buffer[: end + 4 + length]
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(int(head[9:12]))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError(str(exc)))

    async def send(self, raw: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return sum(count for status, count in self.statuses.items() if 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0

    def line(self) -> str:
        bad = sum(c for s, c in self.statuses.items() if not 200 <= s < 300) + self.errors
        cpu = " ".join(f"{name} {share:.0%}" for name, share in self.cpu.items())
        return (
            f"{self.name:<28} {self.rate:>9.0f}/s  p50 {self.percentile(50):6.2f}  "
            f"p95 {self.percentile(95):6.2f}  p99 {self.percentile(99):6.2f}  "
            f"max {self.percentile(100):7.2f} ms  errors {bad}  cpu: {cpu}"
        )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    name: str, port: int, requests: list[bytes], *, concurrency: int, rate: float,
    warmup: float, duration: float, pids: dict[str, int],
) -> Result:  # fmt: skip
    loop = asyncio.get_running_loop()
    connections = [
        (await loop.create_connection(Connection, "127.0.0.1", port))[1] for _ in range(concurrency)
    ]
    result = Result(name, duration)
    started = time.perf_counter()
    window = (started + warmup, started + warmup + duration)
    cursor = iter(range(len(requests)))
    cpu_at: dict[str, float] = {}

    async def worker(connection: Connection) -> None:
        for n in cursor:
            intended = started + n / rate if rate else None
            if intended is not None and (wait := intended - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            sent = time.perf_counter()
            if sent >= window[1]:
                return
            try:
                status = await connection.send(requests[n])
            except ConnectionError:
                result.errors += 1
                return
            done = time.perf_counter()
            if window[0] <= done < window[1]:
                result.latencies.append(done - (intended or sent))
                result.statuses[status] = result.statuses.get(status, 0) + 1

    async def sample_cpu() -> None:
        await asyncio.sleep(warmup)
        cpu_at.update({k: cpu_seconds(pid) for k, pid in pids.items()})
        await asyncio.sleep(duration)
        for key, pid in pids.items():
            result.cpu[key] = (cpu_seconds(pid) - cpu_at[key]) / duration

    await asyncio.gather(sample_cpu(), *(worker(c) for c in connections))
    for connection in connections:
        assert connection.transport is not None
        connection.transport.close()
    if time.perf_counter() < window[1]:
        result.seconds = max(time.perf_counter() - window[0], 0.001)  # ran out of requests
    return result


def spawn(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(f"/tmp/bench-ingest-{Path(argv[-1]).name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(argv, env={**os.environ, **env}, stdout=log, stderr=log)


async def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            await asyncio.sleep(0.5)  # the lifespan (broker, pool) is done once it listens
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


@dataclass
class Target:
    name: str
    argv: list[str]
    env: dict[str, str]
    port: int


def kafka_pid() -> int | None:
    pidfile = REPO / ".smsbus/pids/kafka.pid"
    return int(pidfile.read_text().split()[0]) if pidfile.exists() else None


async def measure(
    target: Target, args: argparse.Namespace, *, paced: bool, label: str
) -> list[Result]:
    """One server, started for this: a max-throughput run, then (if `paced`) one at `--rate`/s."""
    process = spawn(target.argv, target.env)
    try:
        await wait_listening(target.port, process)
        pids = {"server": process.pid, "loadgen": os.getpid()}
        if target.name.startswith("b") and (kafka := kafka_pid()) is not None:
            pids["kafka"] = kafka
        results = []
        runs = [("max", 0.0, args.max_requests)]
        if paced:
            count = int(args.rate * (args.warmup + args.duration)) + 1
            runs.append((f"{args.rate:.0f}/s", args.rate, count))
        for kind, rate, count in runs:
            requests = make_requests(count, seed=len(kind) + len(target.name))
            profiler = None
            if args.profile and target.name.startswith("b") and kind == "max" and paced:
                profiler = subprocess.Popen(  # noqa: ASYNC220 (it runs beside the load)
                    ["uv", "tool", "run", "py-spy", "record", "--pid", str(process.pid),
                     "--duration", str(int(args.duration)), "--rate", "250", "--format", "raw",
                     "--output", args.profile, "--nonblocking"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
            result = await load(
                f"{target.name} [{kind}{label}]", target.port, requests,
                concurrency=args.concurrency, rate=rate, warmup=args.warmup,
                duration=args.duration, pids=pids,
            )  # fmt: skip
            if profiler is not None:
                profiler.wait(timeout=60)
            print(result.line(), flush=True)  # noqa: T201
            results.append(result)
        return results
    finally:
        process.terminate()
        process.wait(timeout=30)


async def main(args: argparse.Namespace) -> None:
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    database_url = os.environ.get(
        "SMSBUS_DATABASE_URL", "postgresql+asyncpg://smsbus:smsbus@127.0.0.1:5432/smsbus"
    )
    run = uuid.uuid4().hex[:8]
    registry = ["openphone.messages.v1", "openphone.calls.v1", "openphone.contacts.v1",
                "ingest.rejected.v1"]  # fmt: skip
    topics = {name: f"bench.{run}.{name}" for name in registry}
    await ensure_topics(bootstrap, topics.values(), partitions=6)
    schema = f"bench_{run}"
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    await connection.execute(
        f"CREATE SCHEMA {schema}; CREATE TABLE {schema}.webhook_events (id bigserial primary key,"
        " event_id text UNIQUE NOT NULL, event_type text NOT NULL, payload jsonb NOT NULL,"
        " received_at timestamptz NOT NULL DEFAULT now())"
    )
    python, servers = sys.executable, str(HERE / "servers.py")
    ports = [free_port() for _ in range(3)]
    targets = [
        Target("a bare FastAPI", [python, servers, "bare", "--port", str(ports[0])], {}, ports[0]),
        Target("b smsbus ingest", [python, "-m", "smsbus.ingest"], {
            "SMSBUS_INGEST_PORT": str(ports[1]), "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
            "SMSBUS_INGEST_SIGNING_KEYS": f"{KEY_TEXT},{STANDARD_KEY_TEXT}",
            "SMSBUS_INGEST_TOPIC_OVERRIDES": json.dumps(topics), "SMSBUS_LOG_LEVEL": "WARNING",
            "SMSBUS_INGEST_MAX_IN_FLIGHT": "100000",
        }, ports[1]),
        Target("c PostgreSQL insert", [python, servers, "postgres", "--port", str(ports[2]),
               "--database-url", database_url, "--schema", schema,
               "--signing-keys", f"{KEY_TEXT},{STANDARD_KEY_TEXT}"], {}, ports[2]),
    ]  # fmt: skip
    print(  # noqa: T201
        f"{os.cpu_count()} CPUs, {args.concurrency} connections, {args.warmup:.0f} s warm-up, "
        f"{args.duration:.0f} s measured per run; latencies in ms",
        flush=True,
    )
    targets = [target for target in targets if target.name[0] in args.servers]
    # Max-throughput rates per server, one per round. The servers take turns within a round,
    # so a slow minute of a shared machine hits one round of each rather than all of one.
    rates: dict[str, list[float]] = {target.name[0]: [] for target in targets}
    try:
        for n in range(args.rounds):
            label = f", round {n + 1}" if args.rounds > 1 else ""
            for target in targets:
                results = await measure(target, args, paced=n == 0, label=label)
                rates[target.name[0]].append(results[0].rate)
    finally:
        await delete_topics(bootstrap, topics.values())
        await connection.execute(f"DROP SCHEMA {schema} CASCADE")
        await connection.close()
    if "b" in rates:
        print_ratios(rates)


def print_ratios(rates: dict[str, list[float]]) -> None:
    """b/a and b/c of each round, and their medians."""
    for key in "ac":
        if key not in rates:
            continue
        ratios = [b / other for b, other in zip(rates["b"], rates[key], strict=True)]
        rounds = "  ".join(f"{ratio:.2f}" for ratio in ratios)
        summary = f"b/{key} = {statistics.median(ratios):.2f}"
        if len(ratios) > 1:
            summary += f" (median of {len(ratios)} rounds: {rounds})"
        print(summary, flush=True)  # noqa: T201


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--max-requests", type=int, default=120_000)
    parser.add_argument("--profile", default="", help="py-spy raw output for (b) at max")
    parser.add_argument("--servers", default="abc", help="which to run, e.g. ab (default abc)")
    parser.add_argument(
        "--rounds", type=int, default=1, help="max-throughput runs per server, taking turns"
    )
    uvloop.run(main(parser.parse_args()))
