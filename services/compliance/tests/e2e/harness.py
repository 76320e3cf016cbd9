"""The stack for compliance's end-to-end tests: the OpenPhone simulator signs webhooks to the
real ingest app, which publishes to Kafka; compliance consumes, writes PostgreSQL and answers
through the simulator. Every test has its own topics, consumer group and schema."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from smsbus.compliance.app import create_app
from smsbus.compliance.settings import Settings
from smsbus.contracts import dlq_topic
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import free_port, read_topics, running_ingest
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator, serving
from smsbus.runtime.testing import StackInfra, eventually, unique_name
from smsbus.runtime.testing_api import AUTH, answers_ready

PERSON = "+14155552671"


@dataclass
class Stack:
    sim: RunningSimulator
    ingest_url: str
    topics: dict[str, str]
    """Registry topic → this test's."""
    dlq: str
    group: str
    database_url: str
    schema: str
    bootstrap: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def line(self) -> str:
        return self.sim.lines[0]

    async def webhook(self, copies: int = 1) -> None:
        """Registers ingest as a message.received webhook `copies` times: each event is then
        delivered that many times (same event id), as with several endpoints."""
        for _ in range(copies):
            await self.sim.add_webhook(
                f"{self.ingest_url}/webhooks/openphone",
                generation="v4",
                key=self.sim.signing_key,
                events=["message.received"],
            )

    def settings(self, **overrides: Any) -> Settings:
        return Settings(**(self._fields() | overrides))

    def _fields(self) -> dict[str, Any]:
        return {
            "SMSBUS_DATABASE_URL": self.database_url,
            "SMSBUS_KAFKA_BOOTSTRAP": self.bootstrap,
            "SMSBUS_OPENPHONE_BASE_URL": self.sim.base_url,
            "SMSBUS_OPENPHONE_API_KEY": self.sim.api_key,
            "db_schema": self.schema,
            "group_id": self.group,
            "topic_overrides": self.topics,
            "brand_name": "Acme Fences",
            "egress_poll_interval": 0.2,
            # A POST cut off may land until then: short for the tests (3 client timeouts).
            "openphone_timeout": 1.0,
            "egress_lookup_after_seconds": 3.0,
        }

    @asynccontextmanager
    async def compliance(self, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        """compliance in this event loop (the app factory, under uvicorn on a free port)."""
        async with (
            serving(create_app(self.settings(**overrides)), name="compliance") as url,
            httpx.AsyncClient(headers=AUTH, base_url=url, timeout=30) as api,
        ):
            await eventually(lambda: _ready(api))
            yield api

    async def start_process(
        self, **overrides: Any
    ) -> tuple[subprocess.Popen[bytes], httpx.AsyncClient]:
        """compliance as a real process: `python -m smsbus.compliance`, configured by env."""
        port = free_port()
        env = {**os.environ, "SMSBUS_COMPLIANCE_PORT": str(port), "SMSBUS_LOG_LEVEL": "WARNING"}
        for name, value in (self._fields() | overrides).items():
            key = name if name.startswith("SMSBUS_") else f"SMSBUS_COMPLIANCE_{name.upper()}"
            env[key] = json.dumps(value) if isinstance(value, dict | bool) else str(value)
        process = _spawn(env, Path(os.environ.get("TMPDIR", "/tmp")) / f"compliance-{port}.log")
        self.processes.append(process)
        api = httpx.AsyncClient(headers=AUTH, base_url=f"http://127.0.0.1:{port}", timeout=30)
        await eventually(lambda: _ready(api, process), within=60)
        return process, api

    async def records(self, topic: str) -> list[Any]:
        return (await read_topics(self.bootstrap, [topic]))[topic]

    async def outgoing(self, to: str) -> list[dict[str, Any]]:
        return await self.sim.messages(direction="outgoing", to=to)

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()


def _spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "smsbus.compliance"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _ready(api: httpx.AsyncClient, process: subprocess.Popen[bytes] | None = None) -> bool:
    if process is not None and process.poll() is not None:
        raise RuntimeError(f"compliance exited with {process.returncode}")
    return await answers_ready(api)


@asynccontextmanager
async def running_stack(infra: StackInfra, *, schema: str) -> AsyncIterator[Stack]:
    topics = await infra.registry_topics(partitions=3)
    group = unique_name("compliance")
    dlq_name = dlq_topic(topics["openphone.messages.v1"], group)
    dlq = await infra.new_topic(name=dlq_name, partitions=3)
    async with running_simulator(speed=100, demo_history=False) as sim:
        ingest_settings = IngestSettings(
            signing_keys=sim.signing_key, kafka_bootstrap=infra.bootstrap, topic_overrides=topics
        )
        async with running_ingest(ingest_settings) as ingest_url:
            stack = Stack(
                sim, ingest_url, topics, dlq, group, infra.database_url, schema, infra.bootstrap
            )
            try:
                yield stack
            finally:
                stack.kill_all()


async def consent(api: httpx.AsyncClient, phone: str = PERSON) -> dict[str, Any]:
    body: dict[str, Any] = (await api.get(f"/v1/consent/{phone}")).json()
    return body


async def has_status(
    api: httpx.AsyncClient, status: str, phone: str = PERSON, entries: int | None = None
) -> bool:
    body = await consent(api, phone)
    return body["status"] == status and (entries is None or len(body["history"]) == entries)


async def settled_outgoing(stack: Stack, phone: str, expected: int) -> list[dict[str, Any]]:
    """The simulator's outgoing log to `phone`, once it holds `expected` messages and a quiet
    second has shown no more are coming."""

    async def enough() -> bool:
        return len(await stack.outgoing(phone)) >= expected

    await eventually(enough, within=30)
    await asyncio.sleep(1.5)
    return await stack.outgoing(phone)
