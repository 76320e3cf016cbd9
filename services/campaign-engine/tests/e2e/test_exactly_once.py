"""Exactly once per member, now that compliance's egress sends: two engine processes, OpenPhone
answering 500 after it took the message, kill -9 of a real engine process mid-dispatch."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from smsbus.runtime.testing_api import AUTH

from .harness import Stack, StartStack, eventually
from .processes import EngineProcess, start_engine
from .test_must_show import START, import_csv, numbers, run_days

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
OPEN = START + timedelta(hours=2)  # Tuesday 10:00 EST


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack(start=OPEN) as running:
        yield running


async def campaign(api: httpx.AsyncClient, stack: Stack, count: int) -> tuple[str, list[str]]:
    phones = numbers(count)
    imported = await import_csv(api, [f"N{i},{p},," for i, p in enumerate(phones)])
    created = (await api.post("/v1/campaigns", json={"name": "x", "line": stack.sim.lines[0], "daily_limit": None,
                                                       "variants": [{"name": "A", "template": "Hi {first_name}, deals"}]})).json()  # fmt: skip
    await api.post(
        f"/v1/campaigns/{created['id']}/members", json={"contact_ids": imported["contact_ids"]}
    )
    return created["id"], phones


async def assert_exactly_once(stack: Stack, phones: list[str]) -> None:
    sent = Counter(
        m["to"][0] for m in await stack.sim.messages(direction="outgoing") if ", deals" in m["text"]
    )
    assert set(sent) == set(phones)
    assert max(sent.values()) == 1
    linked = await stack.scalar(
        "SELECT count(DISTINCT message_id) FROM members WHERE message_id IS NOT NULL"
    )
    assert linked == len(phones)


async def test_two_engine_processes_send_each_member_once(stack: Stack) -> None:
    async with stack.engine(dispatch=False) as api:
        campaign_id, phones = await campaign(api, stack, 300)
    engines = await asyncio.gather(*(start_engine(stack, dispatch_batch=20) for _ in range(2)))
    try:
        async with httpx.AsyncClient(headers=AUTH, base_url=engines[0].url, timeout=60) as first:
            assert (await first.post(f"/v1/campaigns/{campaign_id}/start")).status_code == 200
        await run_days(stack, campaign_id)
        shares = [await _requested_by(engine) for engine in engines]
    finally:
        for engine in engines:
            engine.kill()
    assert all(share > 0 for share in shares), shares  # both processes really dispatched
    assert sum(shares) == len(phones)
    await assert_exactly_once(stack, phones)
    assert await stack.scalar("SELECT max(attempts) FROM members") == 1


async def test_a_500_after_the_send_still_texts_each_member_once(stack: Stack) -> None:
    # OpenPhone takes the message, then answers 500: the egress does not know whether it left,
    # looks it up once the POST can no longer land, and records it sent when found.
    await stack.sim.faults(
        rest_error_rate=0.3, rest_error_statuses=[500], rest_error_after_send=True
    )
    async with stack.engine() as api:
        campaign_id, phones = await campaign(api, stack, 200)
        await api.post(f"/v1/campaigns/{campaign_id}/start")
        await run_days(stack, campaign_id)
    await stack.sim.faults()
    await assert_exactly_once(stack, phones)
    assert await stack.scalar("SELECT count(*) FROM members WHERE recovered") > 0
    assert await stack.scalar("SELECT max(attempts) FROM members") == 1


async def test_kill_9_mid_dispatch_then_restart(stack: Stack) -> None:
    async with stack.engine(dispatch=False) as api:
        campaign_id, phones = await campaign(api, stack, 400)
        await api.post(f"/v1/campaigns/{campaign_id}/start")
    # Half the sends answer after a second: SIGKILL lands while requests are in flight (intent
    # and request committed, the egress still sending, or its result not consumed yet).
    await stack.sim.faults(slow_rate=0.5, slow_seconds=1.0)
    engine = await start_engine(stack)
    try:
        await eventually(lambda: _mid_dispatch(stack, sent=60), within=120)
    finally:
        engine.kill()
    at_kill = dict(await stack.rows("SELECT status, count(*) FROM members GROUP BY status"))
    assert at_kill.get("pending", 0) > 0, at_kill
    assert at_kill.get("sending", 0) > 0, at_kill
    await stack.sim.faults()

    engine = await start_engine(stack)
    try:
        await run_days(stack, campaign_id)
    finally:
        engine.kill()
    await assert_exactly_once(stack, phones)
    assert (
        await stack.scalar("SELECT count(*) FROM members WHERE status NOT IN ('sent', 'delivered')")
        == 0
    )
    # Nobody was asked for twice: what was in flight at the kill was answered to the restarted
    # engine (the outbox relayed what was committed, the consumer resumed from its offsets).
    assert await stack.scalar("SELECT max(attempts) FROM members") == 1


async def _mid_dispatch(stack: Stack, *, sent: int) -> bool:
    """At least `sent` members sent and some requests without a result."""
    counts = await stack.rows(
        "SELECT count(*) FILTER (WHERE sent_at IS NOT NULL), "
        "count(*) FILTER (WHERE status = 'sending') FROM members"
    )
    done, waiting = counts[0]
    return bool(done >= sent and waiting > 0)


async def _requested_by(engine: EngineProcess) -> float:
    async with httpx.AsyncClient(headers=AUTH, base_url=engine.url, timeout=30) as http:
        body = (await http.get("/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if "members_dispatched_total{" in line and 'outcome="requested"' in line
    )
