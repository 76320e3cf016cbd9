"""The fast pass against real Kafka, PostgreSQL, ingest and the OpenPhone simulator: what it
costs (counted at the simulator), what it finds, and that no pass emits a fact twice."""

import asyncio
import math
import time
from collections import Counter
from datetime import timedelta

import pytest

from smsbus.reconciler.domain.fastpass import SKEW
from smsbus.reconciler.domain.windows import MARGIN

from .harness import FAST_GRACE, Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

AGENT = "smsbus-openphone/0.1"
"""The User-Agent of the harness's client (the service's says smsbus-reconciler)."""


def person(n: int) -> str:
    return f"+1415555{n:04d}"


async def texts(stack: Stack, people: range, text: str) -> list[str]:
    limit = asyncio.Semaphore(16)

    async def one(n: int) -> str:
        async with limit:
            return await stack.inbound(person(n), text)

    return list(await asyncio.gather(*(one(n) for n in people)))


async def aged(stack: Stack) -> None:
    """Every webhook delivered and the facts older than the fast pass's grace."""
    await stack.sim.settle()
    await asyncio.sleep(FAST_GRACE + 0.5)


async def test_a_fast_pass_lists_by_the_hundred_and_reads_only_unseen_last_activities(
    stack: Stack,
) -> None:
    fast = stack.fast_pass()
    # 120 people text and every webhook arrives: the first pass lists them (2 pages), reads none.
    await texts(stack, range(120), "hello")
    await aged(stack)
    # Older than the listing's skew margin, so that the next pass lists only what moved since.
    await asyncio.sleep(SKEW.total_seconds())
    mark = time.time()
    first = await fast.run()
    assert (first.status, first.listed, first.unseen, first.missing) == ("succeeded", 120, 0, {})
    assert await stack.sim.request_counts(since=mark, agent=AGENT) == {"GET /v1/conversations": 2}

    # Steady state: 110 more texts arrive by webhook, 4 people's STOPs are lost.
    await texts(stack, range(200, 310), "hi there")
    await stack.webhooks(on=False)
    stops = await texts(stack, range(4), "STOP")
    await stack.webhooks(on=True)
    await aged(stack)
    mark = time.time()
    second = await fast.run()

    assert (second.status, second.listed, second.unseen, second.read) == ("succeeded", 114, 4, 4)
    assert second.missing == {"message.received": 4}
    requests = await stack.sim.request_counts(since=mark, agent=AGENT)
    # conversations updated / 100 (rounded up) + 2 per unseen last activity (messages, calls).
    assert sum(requests.values()) == math.ceil(114 / 100) + 2 * 4
    assert requests == {"GET /v1/conversations": 2, "GET /v1/messages": 4, "GET /v1/calls": 4}
    synthetic = await stack.synthetic()
    assert sorted(e.dedupe_key for e in synthetic) == sorted(f"message.received:{s}" for s in stops)
    assert {e.correlation_id for e in synthetic} == {second.id}

    # The next fast pass and a deep run find them seen: nothing is emitted twice.
    third = await fast.run()
    stack.clock.advance(120)
    run = await stack.run()
    assert (third.status, third.read, third.missing) == ("succeeded", 0, {})
    assert (run["status"], run["missing"]) == ("succeeded", {}), run
    assert Counter(e.dedupe_key for e in await stack.synthetic()) == {
        f"message.received:{s}": 1 for s in stops
    }


async def test_a_lost_fact_that_is_not_the_last_activity_waits_for_the_deep_pass(
    stack: Stack,
) -> None:
    fast = stack.fast_pass()
    await stack.webhooks(on=False)
    [lost] = await texts(stack, range(1), "STOP")
    await stack.webhooks(on=True)
    [later] = await texts(stack, range(1), "sorry, wrong number")
    await aged(stack)

    # Its conversation's last activity came by webhook: the fast pass reads nothing.
    passed = await fast.run()
    assert (passed.status, passed.listed, passed.unseen, passed.missing) == (
        "succeeded", 1, 0, {},
    )  # fmt: skip
    assert await stack.synthetic() == []

    # The next deep pass walks the conversation and finds it; nothing comes out twice.
    stack.clock.advance(120)
    run = await stack.run()
    again = await fast.run()
    rerun = await stack.run()
    assert (run["status"], run["missing"]) == ("succeeded", {"message.received": 1}), run
    assert (again.missing, rerun["missing"]) == ({}, {})
    assert [e.dedupe_key for e in await stack.synthetic()] == [f"message.received:{lost}"]
    webhook_borne = [e.dedupe_key for _, e in await stack.events() if e.source != "reconciler"]
    assert webhook_borne == [f"message.received:{later}"]


async def test_a_lost_fact_older_than_the_memory_is_never_emitted(stack: Stack) -> None:
    # A memory a second past the margin: the lost STOP, aged past the grace, is older than
    # what the reconciler remembers (after an outage longer than seen_keep_days, every fact
    # of the gap is): seen or not, it is not judged.
    forgetful = stack.fast_pass(memory=MARGIN + timedelta(seconds=1))
    await stack.webhooks(on=False)
    [lost] = await texts(stack, range(1), "STOP")
    await aged(stack)

    forgot = await forgetful.run()
    assert (forgot.status, forgot.missing) == ("succeeded", {}), forgot
    assert await stack.synthetic() == []

    remembered = await stack.fast_pass().run()
    assert remembered.missing == {"message.received": 1}, remembered
    assert [e.dedupe_key for e in await stack.synthetic()] == [f"message.received:{lost}"]
