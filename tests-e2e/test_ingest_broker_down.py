"""The broker goes down for real while the simulator sends webhooks; none is lost.

A Kafka broker of this test's own (tools/cli's stack classes, free ports, a temporary state dir;
the shared broker is never touched), ingest under uvicorn and the OpenPhone simulator on
loopback. Webhooks sent during the outage get 503; once the broker is back and the simulator's
retries have run, the topic holds every event the simulator sent: compared by event id.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from smsbus.cli.stack.config import LOCAL_SIGNING_KEY, StackConfig, find_repo_root
from smsbus.cli.stack.kafka import KafkaBroker
from smsbus.cli.stack.processes import terminate
from smsbus.contracts import ROUTES, decode_event
from smsbus.ingest.settings import Settings
from smsbus.ingest.testing import free_port, read_topics, running_ingest
from smsbus.openphone_sim.testing import running_simulator
from smsbus.runtime.kafka import ensure_topics

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CUSTOMERS = [f"+1555555{n:04d}" for n in range(1000, 1030)]
MESSAGES = "openphone.messages.v1"
REJECTED = "ingest.rejected.v1"
# OpenPhone seconds before each attempt (the first is the initial one); the simulator runs at
# real speed here, so the retries span the outage and the broker's restart.
RETRY_SCHEDULE = [0, 1, 2, 3, 5, 5, 10, 10, 15, 20, 30, 30]


@dataclass
class DedicatedKafka:
    broker: KafkaBroker

    @property
    def bootstrap(self) -> str:
        return self.broker.address

    async def start(self) -> None:
        await asyncio.to_thread(self.broker.start)
        deadline = time.monotonic() + self.broker.ready_timeout
        while not await asyncio.to_thread(self.broker.ready):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the test's Kafka broker did not start; see {self.broker.log}")
            await asyncio.sleep(0.5)

    async def stop(self) -> None:
        pid = self.broker.pidfile.running_pid()
        if pid is not None:
            await asyncio.to_thread(terminate, pid, sig=self.broker.stop_signal, timeout=60)
        self.broker.pidfile.remove()


@pytest.fixture
def dedicated_kafka(tmp_path: Path) -> Iterator[DedicatedKafka]:
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SMSBUS_KAFKA_BOOTSTRAP", "SMSBUS_DATABASE_URL"}
    }
    environ |= {
        "SMSBUS_STATE_DIR": str(tmp_path / "state"),
        "SMSBUS_KAFKA_PORT": str(free_port()),
        "SMSBUS_KAFKA_CONTROLLER_PORT": str(free_port()),
        "SMSBUS_KAFKA_HEAP": "-Xms256m -Xmx512m",
        "SMSBUS_TOPIC_PARTITIONS": "3",
    }
    config = StackConfig.load(repo=find_repo_root(Path(__file__).parent), environ=environ)
    broker = KafkaBroker(config)
    broker.install()  # the jars, from Maven's local cache once the stack has run
    kafka = DedicatedKafka(broker)
    try:
        yield kafka
    finally:
        pid = broker.pidfile.running_pid()
        if pid is not None:
            terminate(pid, sig=broker.stop_signal, timeout=60)


async def test_no_webhook_is_lost_when_the_broker_goes_down(
    dedicated_kafka: DedicatedKafka,
) -> None:
    await dedicated_kafka.start()
    await ensure_topics(dedicated_kafka.bootstrap, {route.topic for route in ROUTES}, partitions=3)
    settings = Settings(
        signing_keys=LOCAL_SIGNING_KEY,
        kafka_bootstrap=dedicated_kafka.bootstrap,
        publish_timeout=1.0,
        retry_after=1,
    )
    async with (
        running_ingest(settings) as ingest_url,
        running_simulator(
            webhook_urls=[f"{ingest_url}/webhooks/openphone"],
            signing_key=LOCAL_SIGNING_KEY,
            retry_schedule=RETRY_SCHEDULE,
            webhook_timeout=10.0,
        ) as sim,
    ):
        line = sim.lines[0]
        before, during, after = CUSTOMERS[:10], CUSTOMERS[10:20], CUSTOMERS[20:]
        for customer in before:
            await sim.inbound_message(sender=customer, to=line, text=f"before {customer}")
        await sim.settle(within=60)

        await dedicated_kafka.stop()
        for customer in during:
            await sim.inbound_message(sender=customer, to=line, text=f"during {customer}")
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)  # attempts meet the outage
        await dedicated_kafka.start()

        for customer in after:
            await sim.inbound_message(sender=customer, to=line, text=f"after {customer}")
        await sim.settle(within=240)
        deliveries = await sim.deliveries()

    sent = {d["eventId"] for d in deliveries}
    delivered = {d["eventId"] for d in deliveries if d["outcome"] == "delivered"}
    refused = [d for d in deliveries if d["status"] == 503]
    assert len(sent) == len(CUSTOMERS)
    assert refused, "no attempt met the outage"
    assert delivered == sent, f"the simulator gave up on {sent - delivered}"
    assert not [d for d in deliveries if d["status"] not in (None, 202, 503)]

    topics = await read_topics(dedicated_kafka.bootstrap, [MESSAGES, REJECTED])
    on_topic = [decode_event(record.value) for record in topics[MESSAGES]]
    assert {event.event_id for event in on_topic} == sent
    assert {event.data.from_ for event in on_topic} == set(CUSTOMERS)
    assert topics[REJECTED] == []
