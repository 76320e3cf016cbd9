"""The whole local stack, started by its own code, for the e2e tests that kill its parts
(test_cluster.py, test_postgres_killed.py).

By default as `SMSBUS_KAFKA_BROKERS=3 SMSBUS_REPLICAS=2 make up` would start it: three KRaft
brokers (replication factor 3, min.insync.replicas 2), the simulator, ingest, and two processes
of every consuming service in their consumer groups; in a temporary state dir, on free ports,
with a database of its own on the tests' PostgreSQL server (the services' schemas keep their
names there), or with a PostgreSQL server of its own. The shared stack is never touched. A part
is killed with SIGKILL by the pid the stack recorded, and `heal()` starts whatever is not
running, as `make up` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from aiokafka import TopicPartition
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from smsbus.cli.stack import commands
from smsbus.cli.stack.cluster import REPLICA_PORT_STEP
from smsbus.cli.stack.components import Component, infrastructure, services
from smsbus.cli.stack.config import StackConfig, find_repo_root
from smsbus.cli.stack.kafka import KafkaBroker
from smsbus.cli.stack.postgres import PostgresServer
from smsbus.cli.stack.processes import await_exit, free_port_block, port_in_use
from smsbus.cli.stack.services import KNOWN_SERVICES, ServiceProcess
from smsbus.contracts import Envelope, all_dlq_topics, decode_event
from smsbus.ingest.testing import read_topics
from smsbus.openphone_sim.settings import LOCAL_API_KEY, SimSettings
from smsbus.openphone_sim.testing import RunningSimulator
from smsbus.runtime.testing import unique_name
from smsbus.runtime.testing_api import AUTH
from smsbus.runtime.testing_kafka import kafka_admin

from .egress_stack import CAMPAIGN_TEXT

BROKERS = 3
REPLICAS = 2
# OpenPhone retries a refused webhook after 5 s, then 5 min: compressed, so that what met the
# lost broker is delivered within the test (the schedule's shape is the simulator's concern).
RETRY_SCHEDULE = "0,1,2,4,8,15,30"
KEPT = {"SMSBUS_API_TOKENS", "SMSBUS_API_TOKEN", "SMSBUS_CAMPAIGNS_API_TOKEN"}
KEPT |= {"SMSBUS_COMPLIANCE_API_TOKEN"}
"""The test plugin's tokens (AUTH): of the outer environment's SMSBUS_* only these go in."""
CONFIRMATION = "You are unsubscribed"
CONSENT = "compliance.consent.v1"
NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class ClusterStack:
    config: StackConfig
    sim: RunningSimulator

    @property
    def bootstrap(self) -> str:
        return self.config.kafka_bootstrap

    @property
    def line(self) -> str:
        return self.sim.lines[0]

    def broker(self, node_id: int) -> KafkaBroker:
        return KafkaBroker(self.config, node_id)

    def process(self, service: str, replica: int = 1) -> ServiceProcess:
        spec = next(spec for spec in KNOWN_SERVICES if spec.name == service)
        return ServiceProcess(self.config, spec, replica)

    def api(self, service: str, replica: int = 1) -> httpx.AsyncClient:
        url = self.process(service, replica).address
        return httpx.AsyncClient(base_url=url, headers=AUTH, timeout=60, trust_env=False)

    def parts(self) -> list[Component]:
        return [*infrastructure(self.config), *services(self.config)]

    def part(self, name: str) -> Component:
        return next(part for part in self.parts() if part.name == name)

    def kill(self, part: Component) -> None:
        """kill -9 of the process the stack recorded for `part`: no shutdown hook runs."""
        pid = part.pidfile.running_pid()
        assert pid is not None, f"{part.name} is not running"
        os.kill(pid, signal.SIGKILL)
        await_exit(pid, timeout=30)

    async def heal(self) -> None:
        """Start whatever of the stack is not running (a killed broker or replica), ready."""
        await asyncio.to_thread(commands.start, self.parts())

    async def group_coordinator(self, group: str) -> int:
        async with kafka_admin(self.bootstrap) as admin:
            node: int = await admin.find_coordinator(group)
        return node

    async def leaders(self, topic: str) -> dict[int, int]:
        """Partition → the broker leading it."""
        async with kafka_admin(self.bootstrap) as admin:
            (described,) = await admin.describe_topics([topic])
        return {p["partition"]: p["leader"] for p in described["partitions"]}

    async def assignments(self, group: str) -> dict[str, set[TopicPartition]]:
        """Member id → the partitions the group's last rebalance gave it ({} while it is
        rebalancing: only a stable group's assignment is the one in force)."""
        async with kafka_admin(self.bootstrap) as admin:
            (described,) = await admin.describe_consumer_groups([group])
        (found,) = described.to_object()["groups"]
        if found["state"] != "Stable":
            return {}
        return {
            member["member_id"]: set(
                ConsumerProtocolMemberAssignment.decode(member["member_assignment"]).partitions()
            )
            for member in found["members"]
        }

    async def events(self, *topics: str) -> list[Envelope[Any]]:
        found = await read_topics(self.bootstrap, topics)
        return [decode_event(record.value) for records in found.values() for record in records]

    async def suppressed(self, phone: str) -> bool:
        return bool((await self._consent(phone))["suppressed"])

    async def history(self, phone: str) -> list[dict[str, Any]]:
        """The number's consent ledger, oldest first."""
        history: list[dict[str, Any]] = (await self._consent(phone))["history"]
        return history

    async def _consent(self, phone: str) -> dict[str, Any]:
        async with self.api("compliance") as api:
            response = await api.get(f"/v1/consent/{phone}")
            response.raise_for_status()
            consent: dict[str, Any] = response.json()
            return consent

    async def texts_to(self, phones: set[str]) -> dict[str, list[dict[str, Any]]]:
        """What OpenPhone holds that we sent to each of `phones`, oldest first."""
        found: dict[str, list[dict[str, Any]]] = {phone: [] for phone in phones}
        for message in await self.sim.messages(direction="outgoing"):
            if message["to"][0] in found:
                found[message["to"][0]].append(message)
        return found

    async def confirmations(self, phones: set[str]) -> Counter[str]:
        texts = await self.texts_to(phones)
        return Counter({p: sum(CONFIRMATION in m["text"] for m in ms) for p, ms in texts.items()})

    async def send(self, senders: list[str], text: str, *, gap: float) -> None:
        """`text` from each of `senders` in turn, through the simulator (a webhook each)."""
        for sender in senders:
            await self.sim.inbound_message(sender=sender, to=self.line, text=text)
            await asyncio.sleep(gap)

    async def all_suppressed(self, phones: list[str] | set[str]) -> bool:
        return all([await self.suppressed(phone) for phone in phones])

    async def all_confirmed(self, phones: set[str]) -> bool:
        return all((await self.confirmations(phones)).values())

    async def campaign_reached(self, phones: set[str]) -> bool:
        texts = await self.texts_to(phones)
        return all(any(CAMPAIGN_TEXT in m["text"] for m in ms) for ms in texts.values())

    async def assert_revoked_once(self, phones: set[str]) -> None:
        """One revocation in each person's ledger, and one consent.revoked event on the consent
        topic (a relay killed between the broker's ack and its commit publishes it again: the
        same event id, which consumers' inboxes drop)."""
        ledger = Counter()
        for phone in phones:
            ledger[phone] = sum(entry["action"] == "revoked" for entry in await self.history(phone))
        events: dict[str, set[str]] = {phone: set() for phone in phones}
        for event in await self.events(CONSENT):
            if event.type == "consent.revoked" and event.data.phone in events:
                events[event.data.phone].add(event.event_id)
        assert ledger == dict.fromkeys(phones, 1)
        assert {phone: len(ids) for phone, ids in events.items()} == dict.fromkeys(phones, 1)

    async def assert_opted_out_once(self, phones: set[str]) -> None:
        """Each of `phones` suppressed, with one revocation and exactly one confirmation."""
        assert await self.confirmations(phones) == dict.fromkeys(phones, 1)
        assert await self.all_suppressed(phones)
        await self.assert_revoked_once(phones)

    async def assert_campaign_texted(
        self, audience: list[str], *, texted: set[str], never: list[str], late: list[str]
    ) -> None:
        """The campaign's text reached each of `texted` once and none of `never` (opted out
        before it started); `late` (opted out while it sent) at most once, before their
        confirmation: a text that left before the opt-out was committed is no breach."""
        texts = await self.texts_to(set(audience))
        sent = {p: [m for m in ms if CAMPAIGN_TEXT in m["text"]] for p, ms in texts.items()}
        assert {p: len(sent[p]) for p in texted} == dict.fromkeys(texted, 1)
        assert not any(sent[p] for p in never), "texted after opting out"
        for phone in late:
            (confirmation,) = [m for m in texts[phone] if CAMPAIGN_TEXT not in m["text"]]
            assert len(sent[phone]) <= 1
            assert all(sent_at(m) < sent_at(confirmation) for m in sent[phone]), phone

    async def dead_letters(self) -> dict[str, int]:
        """Records on every dead-letter topic of the registry, by topic (those holding any)."""
        found = await read_topics(self.bootstrap, all_dlq_topics())
        return {topic: len(records) for topic, records in found.items() if records}


def is_2xx(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def sent_at(message: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(message["createdAt"]).replace("Z", "+00:00"))


@contextlib.contextmanager
def cluster_stack(
    root: Path, database_server: str | None, *, brokers: int = BROKERS, replicas: int = REPLICAS
) -> Iterator[StackConfig]:
    """`SMSBUS_KAFKA_BROKERS=<brokers> SMSBUS_REPLICAS=<replicas> make up` in `root`, its
    configuration (for `connect`, in each test's event loop); `make down` afterwards. A database
    of its own on `database_server`, or (None) a PostgreSQL server of its own, one a test may
    kill."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMSBUS_") or k in KEPT}
    database = unique_name("smsbus_cluster")
    if database_server is None:
        env["SMSBUS_POSTGRES_PORT"] = str(free_port_block(1))
    else:
        env["SMSBUS_DATABASE_URL"] = f"{database_server.rsplit('/', 1)[0]}/{database}"
        asyncio.run(_on_server(database_server, f'CREATE DATABASE "{database}"'))
    kafka = free_port_block(2 * brokers)
    env |= {
        "SMSBUS_STATE_DIR": str(root / "state"),
        "SMSBUS_KAFKA_BROKERS": str(brokers),
        "SMSBUS_REPLICAS": str(replicas),
        "SMSBUS_KAFKA_PORT": str(kafka),
        "SMSBUS_KAFKA_CONTROLLER_PORT": str(kafka + 1),
        "SMSBUS_SIM_RETRY_SCHEDULE": RETRY_SCHEDULE,
        "SMSBUS_SIM_DEMO_HISTORY": "false",
        # The engine keeps the law's hours for every purpose: its clock (real time plus an
        # offset) at a weekday noon in New York, whenever the test runs.
        "SMSBUS_CAMPAIGNS_CLOCK_START": _next_noon_in_new_york(datetime.now(UTC)).isoformat(),
    }
    env |= {spec.port_variable: str(_free_for_replicas(replicas)) for spec in KNOWN_SERVICES}
    config = StackConfig.load(repo=find_repo_root(Path(__file__).parent), environ=env)
    try:
        try:
            commands.up(config)
        except SystemExit as exc:  # the stack's own failures say what to look at
            raise RuntimeError(f"the stack did not start: {exc}") from exc
        yield config
    finally:
        commands.down(config)
        if database_server is None:
            _remove_cluster(PostgresServer(config))
        else:
            statement = f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'
            asyncio.run(_on_server(database_server, statement))


@contextlib.asynccontextmanager
async def connect(config: StackConfig) -> AsyncIterator[ClusterStack]:
    """The stack as a test drives it, every part running again (`heal`), its simulator's admin
    API on a client of this event loop."""
    sim_url = f"http://127.0.0.1:{config.port('SMSBUS_SIM_PORT', 8090)}"
    async with httpx.AsyncClient(base_url=sim_url, timeout=60.0, trust_env=False) as admin:
        settings = SimSettings(webhook_urls=[], run_seed=None)  # its lines: the stack's default
        stack = ClusterStack(config, RunningSimulator(sim_url, LOCAL_API_KEY, settings, admin))
        await stack.heal()
        yield stack


def _next_noon_in_new_york(now: datetime) -> datetime:
    """The next 12:00 in New York on a weekday (Monday to Thursday: no Friday-evening or
    weekend rules in any state), as an aware UTC time."""
    local = now.astimezone(NEW_YORK).replace(hour=12, minute=0, second=0, microsecond=0)
    while local <= now or local.weekday() > 3:
        local += timedelta(days=1)
    return local.astimezone(UTC)


def _free_for_replicas(replicas: int) -> int:
    """A free port whose replicas' ports (+100, +200 …) are free too."""
    spare = REPLICA_PORT_STEP * replicas
    for _ in range(200):
        port = free_port_block(1, spare=spare)
        if all(not port_in_use("127.0.0.1", port + REPLICA_PORT_STEP * n) for n in range(replicas)):
            return port
    raise RuntimeError("no free port for every replica")


def _remove_cluster(server: PostgresServer) -> None:
    """The stack's own PostgreSQL cluster, stopped: its files, wherever the state dir's link
    points (as root, into the server user's home)."""
    home = server.home
    deadline = time.monotonic() + 30
    while server.pidfile.running_pid() is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    shutil.rmtree(home, ignore_errors=True)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _on_server(server_url: str, statement: str) -> None:
    """One statement on the PostgreSQL server itself (CREATE/DROP DATABASE: no transaction)."""
    connection = await asyncpg.connect(_plain(server_url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
