"""kill -9 of PostgreSQL while STOPs arrive and a campaign sends, on the local stack started by
its own code with a PostgreSQL server of its own (cluster_stack.py; one broker, one process of
every service, a temporary state dir, free ports):

- every webhook is answered 2xx (ingest needs no database) and on its topic;
- every STOP ends suppressed, with one revocation and exactly one confirmation, those that came
  while the server was down too;
- every campaign member who did not opt out is texted once, and none after their opt-out;
- nothing is dead-lettered: the services took the outage as transient and carried on, without a
  restart, once the server was back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest

from smsbus.cli.stack.config import StackConfig
from smsbus.contracts import ROUTES
from smsbus.runtime.testing import eventually

from .cluster_stack import ClusterStack, cluster_stack, is_2xx
from .egress_stack import create_campaign, valid_numbers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
logger = logging.getLogger(__name__)

INGEST_TOPICS = sorted({route.topic for route in ROUTES if "ingest-webhooks" in route.producers})
ALL_DAY = {"days": list(range(7)), "start": "00:00", "end": "23:59"}
DOWN_SECONDS = 10.0
"""How long the server stays down: several of every service's retries, and STOPs arriving."""


@pytest.fixture(scope="module")
def stack_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackConfig]:
    root = tmp_path_factory.mktemp("own-database")
    with cluster_stack(root, None, brokers=1, replicas=1) as config:
        yield config


async def test_postgres_killed_mid_burst_loses_doubles_and_dead_letters_nothing(
    stack: ClusterStack,
) -> None:
    audience = valid_numbers(30, area=312, offset=1)
    late = audience[:6]  # members who say STOP around the outage, while the campaign sends
    outsiders = valid_numbers(24, area=312, offset=2)
    stoppers = {*late, *outsiders}
    async with stack.api("campaign-engine") as api:
        await create_campaign(
            api, line=stack.line, phones=audience, purpose="transactional", window=ALL_DAY
        )

    senders = [*outsiders[:8], *late, *outsiders[8:]]
    began = time.monotonic()
    burst = asyncio.create_task(stack.send(senders, "STOP", gap=0.5))
    await asyncio.sleep(3.0)
    stack.kill(stack.part("postgres"))
    killed_at = time.monotonic() - began
    await asyncio.sleep(DOWN_SECONDS)
    await stack.heal()
    back_at = time.monotonic() - began
    await burst

    texted = set(audience) - stoppers
    await eventually(lambda: stack.all_confirmed(stoppers), within=180, every=1)
    await eventually(lambda: stack.campaign_reached(texted), within=180, every=1)
    await stack.sim.settle(within=120)
    await asyncio.sleep(3)  # a double, were one coming, would be out by now

    deliveries = await stack.sim.deliveries()
    answered = {d["eventId"] for d in deliveries if is_2xx(d["status"])}
    on_topics = {e.event_id for e in await stack.events(*INGEST_TOPICS)}
    logger.warning(
        f"{len(senders)} STOPs over {len(senders) * 0.5:.0f} s; PostgreSQL killed at "
        f"{killed_at:.1f} s, back at {back_at:.1f} s; {len(deliveries)} webhook attempts"
    )
    assert answered == {d["eventId"] for d in deliveries}, "a webhook was refused"
    assert answered <= on_topics, f"answered 2xx, not on a topic: {answered - on_topics}"

    await stack.assert_opted_out_once(stoppers)
    await stack.assert_campaign_texted(audience, texted=texted, never=[], late=late)
    assert await stack.dead_letters() == {}
