"""The reconciler bench's workload: a seeded simulator, topics and a schema of its own, the
reconciler's stepped clock."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

import smsbus.reconciler
from smsbus.contracts import dlq_topic
from smsbus.openphone import OpenPhoneClient
from smsbus.openphone.ratelimit import TokenBucket
from smsbus.openphone_sim.testing import RunningSimulator
from smsbus.runtime.db import drop_schema, make_engine
from smsbus.runtime.kafka import delete_topics, ensure_topics
from smsbus.runtime.migrations import upgrade

MIGRATIONS = Path(smsbus.reconciler.__file__).parent / "migrations"
GRACE = 600.0  # the service's default
SEED_CONCURRENCY = 32


class StepClock:
    """The reconciler's clock: the wall clock moved ahead by `offset` (facts age past grace)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Seeded:
    conversations: int
    messages: int
    calls: int
    facts: Counter[str] = field(default_factory=Counter)


def external(i: int) -> str:
    return f"+1555{7000000 + i:07d}"  # never one of the simulator's failing numbers


async def seed(sim: RunningSimulator, size: int) -> Seeded:
    """N conversations, half on each line: a text in, a reply out (delivered), some calls."""
    lines = sim.lines
    seeded = Seeded(conversations=size, messages=2 * size, calls=0)
    limit = asyncio.Semaphore(SEED_CONCURRENCY)

    async def one(i: int, op: OpenPhoneClient) -> None:
        line, number = lines[i % len(lines)], external(i)
        async with limit:
            await sim.inbound_message(sender=number, to=line, text=f"hi, quote #{i}?")
            await op.send_message(from_=line, to=number, content=f"Quote #{i} is on its way")
            if i % 4 == 0:
                await sim.inbound_call(sender=number, to=line, recording=i % 8 == 0)

    unpaced = TokenBucket(rate=1e9, burst=1)
    async with OpenPhoneClient(api_key=sim.api_key, base_url=sim.base_url, bucket=unpaced) as op:
        await asyncio.gather(*(one(i, op) for i in range(size)))
    await sim.settle(within=120)
    seeded.calls = len(range(0, size, 4))
    seeded.facts["message.received"] = size
    seeded.facts["message.delivered"] = size
    seeded.facts["call.completed"] = seeded.calls
    seeded.facts["call.recording.completed"] = len(range(0, size, 8))
    return seeded


async def sim_requests(sim: RunningSimulator) -> list[dict[str, Any]]:
    return await sim.requests()


async def replay(sim: RunningSimulator, entries: list[dict[str, Any]]) -> float:
    """The same GETs, one after the other, bare httpx: the simulator + HTTP alone."""
    async with sim.client(timeout=60) as http:
        started = time.perf_counter()
        for entry in entries:
            target = entry["path"] + (f"?{entry['query']}" if entry["query"] else "")
            response = await http.request(entry["method"], target)
            response.raise_for_status()
        return time.perf_counter() - started


def parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@asynccontextmanager
async def own_topics(bootstrap: str, tag: str, group: str) -> AsyncIterator[dict[str, str]]:
    """The reconciler's topics for one run: its settings' `topic_overrides`."""
    topics = {
        name: f"bench.{tag}.{name}" for name in ("openphone.messages.v1", "openphone.calls.v1")
    }
    names = [*topics.values(), *(dlq_topic(name, group) for name in topics.values())]
    await ensure_topics(bootstrap, names, partitions=3)
    try:
        yield topics
    finally:
        await delete_topics(bootstrap, names)


@asynccontextmanager
async def own_schema(database_url: str, schema: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(database_url, schema=schema, script_location=MIGRATIONS)
    engine = make_engine(database_url, schema=schema)
    try:
        yield engine
    finally:
        await drop_schema(engine, schema)
        await engine.dispose()


async def until(check: Any, within: float, every: float = 0.05) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not true after {within}s")
        await asyncio.sleep(every)
