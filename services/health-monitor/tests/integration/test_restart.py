"""A restart never loses a pending check: a new app instance resumes it from the table."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import CanaryPassed
from smsbus.health.domain.checks import new_check
from smsbus.health.store import checks as store
from smsbus.runtime.db import make_sessions
from smsbus.runtime.testing import NewTopic

from .harness import Stack, decided, eventually, running_stack, start_check

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CANARY = "+15555550177"


@pytest.fixture
async def stack(
    database_url: str, schema: str, kafka_bootstrap: str, new_topic: NewTopic
) -> AsyncIterator[Stack]:
    # Real-time simulator, delivery 3 s after the send: room to stop the monitor in between.
    async with running_stack(
        database_url=database_url,
        schema=schema,
        bootstrap=kafka_bootstrap,
        new_topic=new_topic,
        speed=1,
        sent_after=0.2,
        delivered_after=3.0,
    ) as running:
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


async def test_a_send_cut_off_by_a_crash_is_looked_up_not_sent_twice(
    stack: Stack, engine: AsyncEngine
) -> None:
    """The process died after its POST reached OpenPhone and before it recorded the answer
    (kill -9): the row says `sending` with the time of the POST, and the message exists."""
    await stack.subscribe_ingest()
    now = datetime.now(UTC)
    check = new_check(
        check_id="5d6f7a80-0b1c-4d2e-8f30-415263748596",
        line=stack.sim.lines[0],
        to=CANARY,
        template="smsbus canary {check_id}",
        now=now,
        timeout=timedelta(seconds=30),
    )
    async with make_sessions(engine)() as session, session.begin():
        await store.add_intent(session=session, check=check, trigger="api")
        assert await store.mark_started(session=session, check_id=check.id, at=now)
    async with stack.sim.client() as openphone:  # the POST the dead process made
        answer = await openphone.post(
            "/v1/messages", json={"content": check.text, "from": check.line, "to": [CANARY]}
        )
        assert answer.status_code == 202

    async with stack.monitor() as api:
        result = await decided(api, check.id)
    assert result["state"] == "passed"
    assert result["message_id"] == answer.json()["data"]["id"]
    outgoing = await stack.sim.messages(direction="outgoing", to=CANARY)
    assert len(outgoing) == 1  # looked up, never sent again


async def _state(api: httpx.AsyncClient, check_id: str, state: str) -> dict[str, str] | None:
    check: dict[str, str] = (await api.get(f"/checks/{check_id}")).json()
    return check if check["state"] == state else None


async def _delivered_on_kafka(stack: Stack, message_id: str) -> bool:
    return any(
        e.type == "message.delivered" and e.data.id == message_id
        for e in await stack.message_events()
    )
