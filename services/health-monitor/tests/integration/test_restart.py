"""A restart never loses a pending check: a new app instance resumes it from the table."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import CanaryPassed
from smsbus.health.canary import Canary, CanaryConfig
from smsbus.runtime.db import make_sessions

from .harness import CANARY, Stack, StartStack, decided, eventually, start_check

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    # Real-time simulator, delivery 3 s after the send: room to stop the monitor in between.
    async with start_stack(speed=1, sent_after=0.2, delivered_after=3.0) as running:
        yield running


async def test_a_check_pending_across_a_restart_is_decided_by_the_next_instance(
    stack: Stack,
) -> None:
    await stack.subscribe_ingest()
    async with stack.monitor(timeout_seconds=30.0) as first:
        check_id = await start_check(first)
        sent = await eventually(lambda: _state(first, check_id, "sent"))
    # The monitor is down when the delivery webhook goes through ingest to Kafka.
    await eventually(lambda: _delivered_on_kafka(stack, sent["message_id"]), within=20)

    async with stack.monitor(timeout_seconds=30.0) as second:
        check = await decided(second, check_id)
        assert (check["state"], check["event_type"]) == ("passed", "message.delivered")
        assert check["message_id"] == sent["message_id"]
        assert check["deadline_at"] == sent["deadline_at"]
        assert (await second.get("/status")).json()["status"] == "healthy"
    results = await eventually(stack.results)
    assert [(type(e.data), e.data.check_id) for e in results] == [(CanaryPassed, check_id)]


async def test_a_request_committed_before_a_crash_is_sent_once_by_the_next_instance(
    stack: Stack, engine: AsyncEngine
) -> None:
    """The process died right after committing a check and its send request (kill -9), before
    its relay published the request: the next instance's relay does, and the egress sends it."""
    await stack.subscribe_ingest()
    ids = iter(["5d6f7a80-0b1c-4d2e-8f30-415263748596"])
    settings = stack.settings(timeout_seconds=30.0)
    canary = Canary(
        sessions=make_sessions(engine),
        clock=lambda: datetime.now(UTC),
        new_id=lambda: next(ids),
        config=CanaryConfig.of(settings),
    )
    check = await canary.start(trigger="api")  # nothing relays it: no monitor runs

    async with stack.monitor(timeout_seconds=30.0) as api:
        result = await decided(api, check.id)
    assert (result["state"], result["event_type"]) == ("passed", "message.delivered")
    outgoing = await stack.sim.messages(direction="outgoing", to=CANARY)
    assert [m["id"] for m in outgoing] == [result["message_id"]]  # sent once


async def _state(api: httpx.AsyncClient, check_id: str, state: str) -> dict[str, str] | None:
    check: dict[str, str] = (await api.get(f"/checks/{check_id}")).json()
    return check if check["state"] == state else None


async def _delivered_on_kafka(stack: Stack, message_id: str) -> bool:
    return any(
        e.type == "message.delivered" and e.data.id == message_id
        for e in await stack.message_events()
    )
