"""Issue 15's must-shows on the local three-broker cluster with two processes of every consuming
service (cluster_stack.py: the stack's own code, in a temporary state dir, on free ports):

1. kill -9 of a broker while webhooks arrive and a campaign sends: every webhook answered 2xx is
   on its topic, every STOP suppressed and confirmed exactly once, no campaign text doubled or
   sent to a number that had opted out;
2. kill -9 of one of two compliance processes mid-burst of STOPs: its partitions move to the
   other within the session timeout, every STOP handled once;
3. ingest answers 503, not 2xx, while fewer brokers than min.insync.replicas hold a partition,
   and 2xx again once they do.

One cluster for the module (starting it is most of the cost); each test first starts whatever
an earlier one killed. Scaled to a 2-core machine: the webhook rate below is the issue's
2,000/min, over 30 s rather than sustained.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from smsbus.cli.stack.config import LOCAL_SIGNING_KEY, StackConfig
from smsbus.contracts import ROUTES
from smsbus.ingest.settings import Settings as IngestSettings
from smsbus.ingest.testing import compact, running_ingest, sample, signed
from smsbus.openphone.signing import SigningKey
from smsbus.runtime.kafka import delete_topics
from smsbus.runtime.testing import eventually, unique_name
from smsbus.runtime.testing_kafka import kafka_admin

from .cluster_stack import ClusterStack, cluster_stack, is_2xx
from .egress_stack import create_campaign, valid_numbers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
logger = logging.getLogger(__name__)

INGEST_TOPICS = sorted({route.topic for route in ROUTES if "ingest-webhooks" in route.producers})
MESSAGES = "openphone.messages.v1"
WEBHOOKS_PER_MINUTE = 2000
CHATTER_SECONDS = 30.0
CHATTER = "Hi, is my order ready?"
ALL_DAY = {"days": list(range(7)), "start": "00:00", "end": "23:59"}
SESSION_TIMEOUT = 10.0
"""aiokafka's session.timeout.ms, which the services' consumers keep: a member that stops
heartbeating is out of its group after it."""
REBALANCE_ALLOWANCE = 10.0
"""After the session timeout: the survivor hears of the rebalance at its next heartbeat (3 s)
and rejoins; a busy two-core machine gets the rest."""


@pytest.fixture(scope="module")
def stack_config(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[StackConfig]:
    with cluster_stack(tmp_path_factory.mktemp("cluster"), database_url) as config:
        yield config


async def test_a_broker_killed_while_webhooks_arrive_and_a_campaign_sends_loses_and_doubles_nothing(
    stack: ClusterStack,
) -> None:
    audience = valid_numbers(40, area=212, offset=1)
    early, late = audience[:5], audience[5:10]
    outsiders = valid_numbers(5, area=212, offset=2)
    stoppers = {*early, *late, *outsiders}
    for phone in early:  # opted out before the campaign starts: it must never text them
        await stack.sim.inbound_message(sender=phone, to=stack.line, text="STOP")
    await eventually(lambda: stack.all_suppressed(early), within=60, every=0.5)
    async with stack.api("campaign-engine") as api:
        await create_campaign(
            api, line=stack.line, phones=audience, purpose="transactional", window=ALL_DAY
        )

    # Every consumer group's coordinator (one offsets partition): the harshest broker to lose.
    victim = stack.broker(await stack.group_coordinator("compliance"))
    led = sum(node == victim.node_id for node in (await stack.leaders(MESSAGES)).values())
    began = time.monotonic()
    chatter = asyncio.create_task(_chatter(stack, WEBHOOKS_PER_MINUTE, CHATTER_SECONDS))
    await asyncio.sleep(CHATTER_SECONDS / 4)
    stack.kill(victim)
    killed_at = time.monotonic() - began
    for phone in [*late, *outsiders]:  # while the cluster runs on two brokers
        await stack.sim.inbound_message(sender=phone, to=stack.line, text="STOP")
        await asyncio.sleep(1.0)
    chatted = await chatter
    restarted = asyncio.create_task(stack.heal())  # it catches up while the rest settles

    texted = set(audience) - stoppers
    await eventually(lambda: stack.all_confirmed(stoppers), within=180, every=1)
    await eventually(lambda: stack.campaign_reached(texted), within=180, every=1)
    await stack.sim.settle(within=120)
    await restarted
    await asyncio.sleep(3)  # a double, were one coming, would be out by now

    deliveries = await stack.sim.deliveries()
    sent = {d["eventId"] for d in deliveries}
    answered = {d["eventId"] for d in deliveries if is_2xx(d["status"])}
    refused = [d for d in deliveries if not is_2xx(d["status"])]
    on_topics = {e.event_id for e in await stack.events(*INGEST_TOPICS)}
    logger.warning(
        f"{chatted} texts in {CHATTER_SECONDS:.0f} s ({60 * chatted / CHATTER_SECONDS:.0f}/min) "
        f"and {len(stoppers)} STOPs; broker {victim.node_id} (leading {led} partitions of "
        f"{MESSAGES}) killed at {killed_at:.1f} s; "
        f"{len(sent)} webhooks, {len(refused)} attempts refused or timed out, all retried"
    )
    assert answered == sent, "the simulator gave up on some webhook"
    assert answered <= on_topics, f"answered 2xx, not on a topic: {answered - on_topics}"

    await stack.assert_opted_out_once(stoppers)
    await stack.assert_campaign_texted(audience, texted=texted, never=early, late=late)


async def test_a_compliance_process_killed_mid_burst_hands_its_partitions_over_and_every_stop_is_handled_once(  # noqa: E501
    stack: ClusterStack,
) -> None:
    stoppers = valid_numbers(60, area=718, offset=1)
    before = await eventually(lambda: _members(stack, "compliance", 2), within=60, every=0.5)
    assert all(before.values()), f"a member without partitions proves nothing: {before}"
    burst = asyncio.create_task(stack.send(stoppers, "STOP", gap=0.1))
    await asyncio.sleep(2.0)
    stack.kill(stack.process("compliance", replica=2))
    killed = time.monotonic()
    after = await eventually(
        lambda: _members(stack, "compliance", 1),
        within=SESSION_TIMEOUT + REBALANCE_ALLOWANCE,
        every=0.2,
    )
    moved = time.monotonic() - killed
    await burst
    logger.warning(f"partitions moved to the surviving process {moved:.1f} s after the kill")

    ((survivor, owned),) = after.items()
    assert survivor in before, "the survivor is one of the two members"
    assert owned == set().union(*before.values()), "it holds every partition"
    await eventually(lambda: stack.all_confirmed(set(stoppers)), within=120, every=1)
    await asyncio.sleep(3)  # a second confirmation, were one coming, would be out by now
    await stack.assert_opted_out_once(set(stoppers))


async def test_ingest_answers_503_while_fewer_brokers_than_min_insync_replicas_hold_the_partition(
    stack: ClusterStack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="aiokafka")  # the stack's probes quieten it
    # Two replicas, on brokers 1 (the leader) and 2, both of which must have every write.
    topic = f"cluster-test.{unique_name('isr')}.v1"
    await _create_topic(stack.bootstrap, topic, replicas=[1, 2], min_insync=2)
    settings = IngestSettings(
        signing_keys=LOCAL_SIGNING_KEY,
        kafka_bootstrap=stack.bootstrap,
        topic_overrides={MESSAGES: topic},
        publish_timeout=2.0,
    )
    try:
        async with running_ingest(settings) as url, httpx.AsyncClient(base_url=url) as ingest:
            try:
                whole = await _post_webhook(ingest)
                stack.kill(stack.broker(2))
                await eventually(lambda: _in_sync(stack, topic, {1}), within=60, every=0.5)
                # The ISR change reaches the leader's own metadata a moment later; a write it
                # takes before that waits for broker 2 until the request times out (40 s).
                await asyncio.sleep(2)
                short = await _post_webhook(ingest)
                # Why: the producer retries the refused write until the replicas are back.
                await eventually(lambda: _logged(caplog, "NotEnoughReplicas"), within=15)
            finally:  # broker 2 back: the retried write lands and the app can stop
                await stack.heal()
            await eventually(lambda: _in_sync(stack, topic, {1, 2}), within=90, every=0.5)
            again = await _post_webhook(ingest)
        on_topic = {e.event_id for e in await stack.events(topic)}
    finally:
        await delete_topics(stack.bootstrap, [topic])

    assert (whole.status_code, short.status_code, again.status_code) == (202, 503, 202)
    assert short.headers["retry-after"] == "5"
    assert {whole.json()["event_id"], again.json()["event_id"]} <= on_topic


async def _chatter(stack: ClusterStack, per_minute: int, seconds: float) -> int:
    """Inbound texts at `per_minute` for `seconds` (each fires a message.received webhook);
    how many were sent."""
    people = valid_numbers(200, area=646, offset=1)
    interval, began = 60.0 / per_minute, time.monotonic()
    limit, pending, sent = asyncio.Semaphore(16), set(), 0

    async def one(phone: str) -> None:
        async with limit:
            await stack.sim.inbound_message(sender=phone, to=stack.line, text=CHATTER)

    while (elapsed := time.monotonic() - began) < seconds:
        while sent < int(elapsed / interval) + 1:
            pending.add(asyncio.create_task(one(people[sent % len(people)])))
            sent += 1
        await asyncio.sleep(interval)
    await asyncio.gather(*pending)
    return sent


async def _members(stack: ClusterStack, group: str, count: int) -> dict[str, set[object]] | None:
    """The group's assignment once it is stable with `count` members, else None."""
    try:
        found = await stack.assignments(group)
    except KafkaError:  # the admin client asked a broker that is down: ask again
        return None
    return dict(found) if len(found) == count else None


async def _create_topic(
    bootstrap: str, topic: str, *, replicas: list[int], min_insync: int
) -> None:
    configs = {"min.insync.replicas": str(min_insync)}
    placed = NewTopic(topic, -1, -1, replica_assignments={0: replicas}, topic_configs=configs)
    async with kafka_admin(bootstrap) as admin:
        await admin.create_topics([placed])


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return text in caplog.text


async def _in_sync(stack: ClusterStack, topic: str, brokers: set[int]) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap)
    try:
        await admin.start()
        (described,) = await admin.describe_topics([topic])
    except KafkaError:  # aiokafka's admin picks any broker the metadata lists, a dead one too
        return False
    finally:
        await admin.close()
    return {node for p in described["partitions"] for node in p["isr"]} == brokers


async def _post_webhook(ingest: httpx.AsyncClient) -> httpx.Response:
    """A message.received webhook of its own event id, signed now with the stack's key."""
    payload = sample("v4", "message.received").payload() | {"id": f"EV{uuid.uuid4().hex}"}
    body = compact(payload)
    headers = signed(body, SigningKey.parse(LOCAL_SIGNING_KEY), now=time.time())
    return await ingest.post("/webhooks/openphone", content=body, headers=headers)
