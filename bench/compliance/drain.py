"""bench/compliance: how fast one compliance process drains a pre-filled messages topic.

    ./uv run python bench/compliance/drain.py [--stops 20000] [--messages 50000]
                                            [--baseline-records 1] [--baseline-share 0.1]

The topic (6 partitions, as the stack) is filled before compliance starts: `--stops` STOPs,
each from a number of its own (each ends in a revocation, a suppression, a confirmation request
and a consent event), then separately `--messages` ordinary inbound texts ("thanks, see you",
which only get their inbox row). compliance then runs as a process (`python -m
smsbus.compliance`, egress off) and the bench waits for the last one to be handled.

Rate = events / (last transaction's commit - first transaction's start), from the database's
own timestamps; CPU = compliance's user+system seconds over that window, per event. The
baseline is the same process with `SMSBUS_CONSUMER_BATCH_RECORDS=1` (one record per
transaction, as before batching) on a share of the same workload, measured first in the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaProducer

import smsbus.compliance
from smsbus.contracts import Message, encode_event, make_envelope, partition_key
from smsbus.ingest.testing import free_port
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade
from smsbus.runtime.partitioning import key_partitioner
from smsbus.runtime.settings import DEFAULT_DATABASE_URL, DEFAULT_KAFKA_BOOTSTRAP

sys.path.append(str(Path(__file__).resolve().parents[1]))  # bench/, for the run's API token
from bench_auth import SERVICE_ENV
from process_rig import cpu_seconds, numbers_for, say, start, stop_all  # bench/compliance

MIGRATIONS = Path(smsbus.compliance.__file__).parent / "migrations"
LINE, LINE_ID = "+15555550100", "PNbenchline1"
PARTITIONS = 6
EXTRA_TOPICS = ("compliance.consent.v1", "outbound.requests.v1", "outbound.results.v1")
"""What compliance writes or reads beside the backlog: topics of the run's own."""


@dataclass
class Drained:
    name: str
    events: int
    seconds: float
    cpu: float

    def line(self) -> str:
        rate = self.events / self.seconds if self.seconds else float("nan")
        return (
            f"{self.name:30} {self.events:7} events in {self.seconds:6.2f} s  "
            f"{rate:7.0f}/s  compliance cpu {1000 * self.cpu / self.events:5.2f} ms/event"
        )


def received(text: str, phone: str, n: int, run: str) -> tuple[bytes, bytes]:
    message = Message.model_validate(
        {
            "id": f"AC{run}{n:09d}",
            "from": phone,
            "to": [LINE],
            "direction": "incoming",
            "text": text,
            "status": "received",
            "createdAt": datetime.now(UTC),
            "phoneNumberId": LINE_ID,
        }
    )
    envelope = make_envelope(
        message,
        event_type="message.received",
        event_id=str(uuid.uuid4()),
        object_id=message.id,
        source="bench",
        occurred_at=message.created_at,
        recorded_at=message.created_at,
    )
    return encode_event(envelope), partition_key(envelope).encode()


async def fill(
    bootstrap: str, topic: str, texts: list[tuple[str, str]], run: str, start: int
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", partitioner=key_partitioner, linger_ms=20
    )
    await producer.start()
    try:
        pending = []
        for n, (text, phone) in enumerate(texts, start=start):
            value, key = received(text, phone, n, run)
            headers = [("event-type", b"message.received")]
            pending.append(await producer.send(topic, value, key=key, headers=headers))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def cpu_at(samples: list[tuple[float, float]], wall: float) -> float:
    """The process's cpu seconds at the sample nearest to `wall` (sampled every 20 ms)."""
    return min(samples, key=lambda sample: abs(sample[0] - wall))[1]


async def drain(
    *,
    name: str,
    bootstrap: str,
    database_url: str,
    texts: list[tuple[str, str]],
    batch_records: int,
) -> Drained:
    """Fills a fresh topic with `texts`, then runs compliance on it until all are handled."""
    run = uuid.uuid4().hex[:8]
    schema, group = f"bench_{run}", f"compliance-drain-{run}"
    topic = f"bench.{run}.openphone.messages.v1"
    extra = [f"bench.{run}.{n}" for n in EXTRA_TOPICS]
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
    engine = make_engine(database_url, schema=schema)
    await ensure_topics(bootstrap, [topic, *extra], partitions=PARTITIONS)
    process = None
    try:
        await upgrade(database_url, schema=schema, script_location=MIGRATIONS)
        await fill(bootstrap, topic, texts, run, 0)
        port = free_port()
        env = os.environ | {
            "SMSBUS_LOG_LEVEL": "WARNING",
            "SMSBUS_KAFKA_BOOTSTRAP": bootstrap,
            "SMSBUS_DATABASE_URL": database_url,
            "SMSBUS_CONSUMER_BATCH_RECORDS": str(batch_records),
            "SMSBUS_COMPLIANCE_PORT": str(port),
            "SMSBUS_COMPLIANCE_DB_SCHEMA": schema,
            "SMSBUS_COMPLIANCE_GROUP_ID": group,
            "SMSBUS_COMPLIANCE_TOPIC_OVERRIDES": json.dumps(
                {"openphone.messages.v1": topic} | dict(zip(EXTRA_TOPICS, extra, strict=True))
            ),
            "SMSBUS_COMPLIANCE_EGRESS_SENDING": "false",
            "SMSBUS_OPENPHONE_API_KEY": "bench-drain-key",
            **SERVICE_ENV,
        }
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-drain-{run}.log"
        process = start("smsbus.compliance", env, log)
        samples: list[tuple[float, float]] = []  # (wall clock, compliance's cpu seconds)
        connection = await asyncpg.connect(dsn)
        try:
            count_query = f"SELECT count(*) FROM {schema}.processed_events"
            deadline = time.monotonic() + 900
            while (handled := await connection.fetchval(count_query)) < len(texts):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{name}: {handled} of {len(texts)} handled; see {log}")
                samples.append((time.time(), cpu_seconds(process.pid)))
                await asyncio.sleep(0.02)
            samples.append((time.time(), cpu_seconds(process.pid)))
            # The first transaction began at min(processed_at); the last committed no later than
            # the newest row written by any transaction (its ledger row or its inbox row).
            first, last = await connection.fetchrow(
                f"SELECT extract(epoch FROM min(p.processed_at)), extract(epoch FROM greatest("
                f"max(p.processed_at), (SELECT max(recorded_at) FROM {schema}.consent_ledger))) "
                f"FROM {schema}.processed_events p"
            )
        finally:
            await connection.close()
        cpu = cpu_at(samples, float(last)) - cpu_at(samples, float(first))
        window = float(last) - float(first)
        return Drained(name, len(texts), float(window), cpu)
    finally:
        if process is not None:
            stop_all([process])
        await drop_schema(engine, schema)
        await engine.dispose()
        await delete_topics(bootstrap, [topic, *extra])


async def main(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    bootstrap = os.environ.get("SMSBUS_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP)
    database_url = os.environ.get("SMSBUS_DATABASE_URL", DEFAULT_DATABASE_URL)
    stops = [("STOP", phone) for phone in numbers_for(args.stops, 0)]
    chatter = [("thanks, see you", phone) for phone in numbers_for(args.messages, 1_000_000)]
    share = args.baseline_share
    cases = [
        ("baseline STOPs (1/tx)", stops[: int(len(stops) * share)], args.baseline_records),
        ("baseline messages (1/tx)", chatter[: int(len(chatter) * share)], args.baseline_records),
        (f"STOPs ({args.batch_records}/tx max)", stops, args.batch_records),
        (f"messages ({args.batch_records}/tx max)", chatter, args.batch_records),
    ]
    results = []
    for name, texts, records in cases:
        results.append(
            await drain(
                name=name,
                bootstrap=bootstrap,
                database_url=database_url,
                texts=texts,
                batch_records=records,
            )
        )
        say(results[-1].line())
    say(
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before the run; one compliance "
        "process; Kafka, PostgreSQL local; 6 partitions"
    )
    for result in results:
        say(result.line())
    say("reproduce: ./uv run python bench/compliance/drain.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stops", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--batch-records", type=int, default=500)
    parser.add_argument("--baseline-records", type=int, default=1)
    parser.add_argument("--baseline-share", type=float, default=0.1)
    asyncio.run(main(parser.parse_args()))
