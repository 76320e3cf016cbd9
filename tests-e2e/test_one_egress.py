"""One egress for every text (the issue's "Must show" 1, 2, 3, 5, 6 and 7): campaign texts whose
send is in doubt, people who say STOP meanwhile, an engine killed and restarted at night, a
campaign paused, a bad key and no credit, two campaigns on one capped line — real Kafka,
PostgreSQL, the simulator, ingest, compliance's egress and campaign-engine processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from smsbus.runtime.testing import StackInfra, eventually

from .egress_stack import EgressStack, Engine, running_stack, valid_numbers

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TUESDAY_10_MIAMI = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
TUESDAY_22_MIAMI = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)
WEDNESDAY_10_MIAMI = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def miami(count: int, offset: int = 0) -> list[str]:
    """Valid Miami numbers (Florida: 08:00-20:00), distinct per offset."""
    return valid_numbers(count, area=305, offset=offset, spacing=1000)


async def sends_in_doubt(
    stack: EgressStack, phones: list[str], **faults: Any
) -> tuple[Engine, str]:
    """OpenPhone times every send out (504, and `faults`); an engine and a campaign to `phones`
    started: once each send is in doubt, the engine and the campaign's id."""
    await stack.sim.faults(rest_error_rate=1.0, rest_error_statuses=[504], **faults)
    engine = await stack.start_engine()
    campaign_id = await stack.campaign(phones)
    await eventually(lambda: in_doubt(stack, len(phones)), within=90)
    return engine, campaign_id


@pytest.fixture
async def stack(stack_infra: StackInfra) -> AsyncIterator[EgressStack]:
    async with running_stack(stack_infra, start=TUESDAY_10_MIAMI) as running:
        yield running


async def in_doubt(stack: EgressStack, count: int) -> bool:
    """`count` campaign texts POSTed whose outcome OpenPhone has not told (status sending)."""
    rows = await stack.egress_rows()
    return sum(1 for r in rows if r.status == "sending" and r.attempts >= 1) == count


async def final(stack: EgressStack, count: int) -> bool:
    rows = await stack.egress_rows()
    done = ("sent", "refused", "deferred", "failed")
    return len(rows) == count and all(r.status in done for r in rows)


async def everyone_opted_out(stack: EgressStack, phones: list[str]) -> bool:
    return all([await stack.opted_out(phone) for phone in phones])


async def test_sends_in_doubt_then_stop_then_openphone_recovers_texts_nobody(
    stack: EgressStack,
) -> None:
    phones = miami(5)
    _, campaign_id = await sends_in_doubt(stack, phones)  # timed out before acceptance

    for phone in phones:
        await stack.stop(phone)
    await eventually(lambda: everyone_opted_out(stack, phones), within=60)
    await stack.sim.faults()  # OpenPhone recovers
    await eventually(lambda: final(stack, 5), within=90)

    assert await stack.campaign_texts() == {}, "nobody who said STOP got the campaign text"
    await eventually(lambda: _confirmed(stack, phones), within=60)
    assert {(r.status, r.reason) for r in await stack.egress_rows()} == {("refused", "opted_out")}
    members = await eventually(lambda: _members_done(stack, campaign_id), within=60)
    assert {(m.status, m.reason) for m in members} == {("skipped", "opted_out")}
    await stack.only_the_egress_posted_messages()


async def test_sends_in_doubt_that_openphone_took_are_recorded_sent_once(
    stack: EgressStack,
) -> None:
    phones = miami(5, offset=1)
    _, campaign_id = await sends_in_doubt(stack, phones, rest_error_after_send=True)

    for phone in phones:
        await stack.stop(phone)
    await eventually(lambda: everyone_opted_out(stack, phones), within=60)
    await stack.sim.faults()
    await eventually(lambda: final(stack, 5), within=90)

    assert await stack.campaign_texts() == dict.fromkeys(phones, 1), "each exactly once"
    rows = await stack.egress_rows()
    assert {(r.status, r.recovered) for r in rows} == {("sent", True)}
    members = await eventually(lambda: _members_done(stack, campaign_id), within=60)
    assert {m.message_id for m in members} == {r.message_id for r in rows}
    await stack.only_the_egress_posted_messages()


async def test_an_engine_killed_with_sends_in_doubt_and_back_at_night_waits_for_the_window(
    stack: EgressStack,
) -> None:
    phones = miami(5, offset=2)
    engine, _ = await sends_in_doubt(stack, phones)

    stack.kill(engine)  # kill -9 with every send in doubt
    await stack.set_time(TUESDAY_22_MIAMI)  # down till night
    await stack.sim.faults()
    await stack.start_engine()
    await eventually(lambda: _all_held(stack, 5), within=60)
    assert await stack.campaign_texts() == {}, "nothing leaves outside the recipients' hours"

    await stack.set_time(WEDNESDAY_10_MIAMI)
    await eventually(lambda: final(stack, 5), within=90)
    assert await stack.campaign_texts() == dict.fromkeys(phones, 1)
    await stack.only_the_egress_posted_messages()


async def test_a_campaign_paused_while_its_sends_are_in_doubt_sends_nothing_more(
    stack: EgressStack,
) -> None:
    phones = miami(5, offset=3)
    _, campaign_id = await sends_in_doubt(stack, phones)

    await stack.act(campaign_id, "pause")
    await stack.sim.faults()
    await eventually(lambda: final(stack, 5), within=90)
    assert await stack.campaign_texts() == {}
    assert {(r.status, r.reason) for r in await stack.egress_rows()} == {
        ("refused", "campaign_inactive")
    }

    await stack.act(campaign_id, "resume")
    await eventually(lambda: _texted(stack, phones), within=90)
    assert await stack.campaign_texts() == dict.fromkeys(phones, 1)


async def test_a_bad_key_then_no_credit_pause_the_campaign_and_resume_texts_each_once(
    stack: EgressStack,
) -> None:
    phones = miami(60, offset=4)
    slow = {"slow_rate": 1.0, "slow_seconds": 0.5}  # so the faults land mid-campaign
    await stack.sim.faults(**slow)
    await stack.start_engine()
    campaign_id = await stack.campaign(phones)
    await eventually(lambda: _texted_some(stack, 3), within=60, every=0.05)

    for status, reason in ((401, "openphone_unauthorized"), (402, "openphone_payment_required")):
        await stack.sim.faults(rest_error_rate=1.0, rest_error_statuses=[status])
        paused = await eventually(lambda: _paused(stack, campaign_id), within=60)
        assert paused["pause_reason"] == reason
        members = await stack.members(campaign_id)
        assert not [m for m in members if m.status == "failed"], "no member failed"
        await stack.sim.faults(**slow)  # the cause is fixed
        await eventually(lambda: _settled(stack, campaign_id), within=60)
        await stack.act(campaign_id, "resume")

    await stack.sim.faults()
    await eventually(lambda: _texted(stack, phones), within=120)
    assert await stack.campaign_texts() == dict.fromkeys(phones, 1)
    members = await eventually(lambda: _members_done(stack, campaign_id), within=60)
    assert {m.status for m in members} <= {"sent", "delivered"}


async def test_two_campaigns_on_one_line_share_its_daily_cap(stack_infra: StackInfra) -> None:
    async with running_stack(stack_infra, start=TUESDAY_10_MIAMI, line_daily_cap=10) as stack:
        first, second = miami(8, offset=5), miami(8, offset=6)
        await stack.start_engine()
        campaigns = [
            await stack.campaign(first, name="one"),
            await stack.campaign(second, name="two"),
        ]
        await eventually(lambda: _deferred_or_sent(stack, 16), within=90)

        assert sum((await stack.campaign_texts()).values()) == 10, "10 that day, all campaigns"
        deferred = [r for r in await stack.egress_rows() if r.status == "deferred"]
        assert {r.reason for r in deferred} == {"line_daily_cap"}
        for campaign_id in campaigns:
            members = await stack.members(campaign_id)
            assert not [m for m in members if m.status == "failed"]
            # The two share the day's 10 in whatever order they are dispatched: one whose 8 all
            # went out that day is done (once the dispatcher's next pass sees it), the other
            # waits for the next day (never failed).
            waiting = [m for m in members if m.status not in ("sent", "delivered")]
            wanted = "running" if waiting else "completed"
            await eventually(lambda c=campaign_id, w=wanted: _status_is(stack, c, w), within=30)

        await stack.set_time(WEDNESDAY_10_MIAMI)
        await eventually(lambda: _texted(stack, first + second), within=120)
        assert await stack.campaign_texts() == dict.fromkeys(first + second, 1)


async def _confirmed(stack: EgressStack, phones: list[str]) -> bool:
    return await stack.confirmations() == dict.fromkeys(phones, 1)


async def _status_is(stack: EgressStack, campaign_id: str, wanted: str) -> bool:
    return (await stack.get_campaign(campaign_id))["status"] == wanted


async def _members_done(stack: EgressStack, campaign_id: str) -> list[object] | None:
    members = await stack.members(campaign_id)
    return None if any(m.status in ("pending", "sending") for m in members) else members


async def _all_held(stack: EgressStack, count: int) -> bool:
    rows = await stack.egress_rows()
    held = ("held", "outside_window")
    return len(rows) == count and all((r.status, r.reason) == held for r in rows)


async def _texted(stack: EgressStack, phones: list[str]) -> bool:
    return set(await stack.campaign_texts()) >= set(phones)


async def _texted_some(stack: EgressStack, count: int) -> bool:
    return sum((await stack.campaign_texts()).values()) >= count


async def _paused(stack: EgressStack, campaign_id: str) -> dict[str, object] | None:
    campaign = await stack.get_campaign(campaign_id)
    return campaign if campaign["status"] == "paused" else None


async def _settled(stack: EgressStack, campaign_id: str) -> bool:
    """No campaign text is still being worked on by the egress, nor its answer by the engine."""
    rows, members = await stack.egress_rows(), await stack.members(campaign_id)
    return all(r.status not in ("pending", "sending") for r in rows) and all(
        m.status != "sending" for m in members
    )


async def _deferred_or_sent(stack: EgressStack, count: int) -> bool:
    rows = await stack.egress_rows()
    return len(rows) == count and all(r.status in ("sent", "deferred") for r in rows)
