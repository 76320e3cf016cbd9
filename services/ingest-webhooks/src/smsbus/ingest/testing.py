"""Test support shared by the service's tests, tests-e2e and bench/ingest (no pytest here).

- the sample payloads of every generation (`services/ingest-webhooks/testdata/<generation>/`,
  read from the workspace), and `signed()` to sign a body the way OpenPhone does;
- `read_topics()`: every record on some topics, up to their end offsets right now;
- `running_ingest()`: the real app under uvicorn on a free loopback port, in this event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from smsbus.ingest.app import create_app
from smsbus.ingest.settings import Settings
from smsbus.openphone.signing import SigningKey, sign_openphone, sign_standard
from smsbus.runtime.kafka import stop_consumer

TESTDATA = Path(__file__).resolve().parents[3] / "testdata"
GENERATIONS = ("v4", "app", "versioned")
STANDARD_WEBHOOKS_GENERATIONS = frozenset({"versioned"})


@dataclass(frozen=True)
class Sample:
    generation: str
    event_type: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.generation}/{self.event_type}"

    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.path.read_text())
        return loaded

    def body(self) -> bytes:
        """Compact JSON, as OpenPhone sends it."""
        return compact(self.payload())


def samples(generation: str | None = None) -> list[Sample]:
    found = [
        Sample(path.parent.name, path.stem, path)
        for gen in GENERATIONS
        for path in sorted((TESTDATA / gen).glob("*.json"))
        if generation in (None, gen)
    ]
    if not found:
        raise FileNotFoundError(f"no sample payloads under {TESTDATA}")
    return found


def sample(generation: str, event_type: str) -> Sample:
    return Sample(generation, event_type, TESTDATA / generation / f"{event_type}.json")


def compact(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed(
    body: bytes,
    key: SigningKey,
    *,
    now: float,
    standard: bool = False,
    webhook_id: str = "msg_2mQ8v1fV3k0tT7cZr9Lh4sXw",
    content_type: str = "application/json",
) -> dict[str, str]:
    """Request headers for `body` signed at `now` (Unix seconds) as OpenPhone would sign it:
    `openphone-signature` (milliseconds), or Standard Webhooks headers (seconds)."""
    headers = {"content-type": content_type}
    if standard:
        headers |= sign_standard(body, key, webhook_id=webhook_id, timestamp=int(now))
    else:
        headers["openphone-signature"] = sign_openphone(body, key, timestamp_ms=int(now * 1000))
    return headers


async def read_topics(
    bootstrap: str, topics: Iterable[str]
) -> dict[str, list[ConsumerRecord[bytes, bytes]]]:
    """Every record on `topics` up to their current end offsets (no consumer group)."""
    wanted = list(topics)
    partitions = await _partitions(bootstrap, wanted)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        found: dict[str, list[ConsumerRecord[bytes, bytes]]] = {topic: [] for topic in wanted}
        if not partitions:
            return found
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        pending = {tp for tp in partitions if ends[tp] > 0}
        async with asyncio.timeout(30):
            while pending:
                pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
                if not pending:
                    break
                batches = await consumer.getmany(timeout_ms=200)
                for tp, records in batches.items():
                    found[tp.topic].extend(r for r in records if r.offset < ends[tp])
        return found
    finally:
        await stop_consumer(consumer)


async def _partitions(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], partition["partition"])
        for topic in described
        if topic["error_code"] == 0
        for partition in topic["partitions"]
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _QuietServer(uvicorn.Server):
    """The test runner owns the process's signals: uvicorn must not take SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def running_ingest(
    settings: Settings, *, clock: Callable[[], float] = time.time
) -> AsyncIterator[str]:
    """The app under uvicorn on 127.0.0.1 (a free port, whatever `settings.port` says);
    yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, clock=clock),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    server = _QuietServer(config)
    serving = asyncio.create_task(server.serve(), name="ingest-webhooks")
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if serving.done():
                    serving.result()
                    raise RuntimeError("ingest stopped while starting")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.gather(serving, return_exceptions=True)
