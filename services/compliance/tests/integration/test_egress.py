"""The egress against a real PostgreSQL and the OpenPhone simulator: every text passes the gate
at the moment it leaves, exactly once, through crashes, unknown outcomes, opt-outs that land
while a send is in doubt, paused campaigns, quiet hours, account refusals and the line's cap."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.openphone_sim.testing import RunningSimulator, running_simulator
from smsbus.runtime.db import Sessions
from smsbus.runtime.testing import eventually

from .egress_harness import (
    FAST,
    FLORIDA,
    LANDED,
    PERSON,
    Campaigns,
    EgressRig,
    MovableClock,
    fast_client,
)

pytestmark = pytest.mark.integration

WINDOW = {"days": [0, 1, 2, 3, 4, 5, 6], "start": "09:00:00", "end": "18:00:00"}
TUESDAY_NOON_ET = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
TUESDAY_LATE_ET = datetime(2026, 3, 3, 23, 30, tzinfo=UTC)  # 18:30 in Miami


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    async with running_simulator(speed=1000, demo_history=False) as running:
        yield running


@pytest.fixture
async def rig(
    engine: AsyncEngine, sessions: Sessions, sim: RunningSimulator
) -> AsyncIterator[EgressRig]:
    async with fast_client(sim) as client:
        yield EgressRig(engine, sessions, sim, client, MovableClock(), Campaigns())


async def marketing(rig: EgressRig, request_id: str = "M1", **fields: object) -> None:
    defaults: dict[str, object] = {
        "purpose": "marketing", "requester": "campaign-engine", "phone": FLORIDA,
        "campaign_id": "C1", "member_id": f"m-{request_id}", "send_window": WINDOW,
    }  # fmt: skip
    rig.campaigns.status.setdefault("C1", "running")
    await rig.grant_express(str(fields.get("phone", FLORIDA)))
    await rig.request(request_id, **(defaults | fields))


async def test_a_confirmation_is_sent_once_with_its_consent_basis_and_result(
    rig: EgressRig,
) -> None:
    await rig.request()
    egress = rig.egress()

    assert await egress.send_due() == 1
    assert await egress.send_due() == 0

    sent = await rig.outgoing()
    assert [(m["text"], m["from"]) for m in sent] == [("Acme: text R1", rig.sim.lines[0])]
    row = await rig.row()
    assert (row["status"], row["message_id"], row["attempts"]) == ("sent", sent[0]["id"], 1)
    assert row["consent"] == "unknown"
    assert await rig.results() == [("send.accepted", "R1", sent[0]["id"])]
    requests = await rig.sim.requests()
    assert {r["agent"] for r in requests} == {"smsbus-compliance-egress/0.1"}


async def test_a_running_lane_is_woken_by_a_committed_request(rig: EgressRig) -> None:
    # An hour between polls: once the first request is sent, only the NOTIFY that committing
    # the second one fires can wake the lane in time.
    lane = asyncio.create_task(rig.egress(timings=replace(FAST, poll_interval=3600.0)).run())
    try:
        await rig.request("R1")
        await eventually(lambda: rig.outgoing())
        await rig.request("R2")

        async def both_sent() -> bool:
            return len(await rig.outgoing()) == 2

        await eventually(both_sent)
    finally:
        lane.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lane

    assert [row[1] for row in await rig.results()] == ["R1", "R2"]


async def test_the_same_request_twice_is_one_text(rig: EgressRig) -> None:
    await rig.request()
    await rig.request()

    assert await rig.egress().send_due() == 1
    assert len(await rig.outgoing()) == 1


async def test_after_a_crash_mid_send_the_message_is_looked_up_not_sent_again(
    rig: EgressRig,
) -> None:
    await rig.request()
    started = rig.clock() - timedelta(seconds=5)  # past lookup_after
    await _sending(rig, started)
    message = await rig.client.send_message(
        from_=rig.sim.lines[0], to=[PERSON], content="Acme: text R1"
    )

    assert await rig.egress().send_due() == 1

    assert [m["id"] for m in await rig.outgoing()] == [message.id]
    row = await rig.row()
    assert (row["status"], row["message_id"], row["recovered"]) == ("sent", message.id, True)


async def test_a_crash_before_the_post_landed_sends_after_the_lookup(rig: EgressRig) -> None:
    await rig.request()
    await _sending(rig, rig.clock() - timedelta(seconds=5))

    assert await rig.egress().send_due() == 1

    assert len(await rig.outgoing()) == 1
    row = await rig.row()
    assert (row["status"], row["attempts"], row["recovered"]) == ("sent", 2, False)


async def test_a_post_that_may_still_land_is_not_looked_up_or_repeated_yet(
    rig: EgressRig,
) -> None:
    await rig.request()
    await _sending(rig, rig.clock())

    await rig.egress().send_due()

    assert await rig.outgoing() == []
    assert await rig.sim.requests() == [], "not even a lookup before the POST could have landed"
    assert (await rig.row())["status"] == "sending"


async def test_accepted_then_500_is_found_once_its_landing_time_passed(rig: EgressRig) -> None:
    await rig.request()
    await rig.sim.faults(rest_error_rate=1.0, rest_error_statuses=[500], rest_error_after_send=True)
    egress = rig.egress()

    await egress.send_due()
    assert (await rig.row())["status"] == "sending"
    await rig.sim.faults()
    rig.clock.advance(LANDED)

    await egress.send_due()
    sent = await rig.outgoing()
    assert len(sent) == 1
    row = await rig.row()
    assert (row["status"], row["message_id"], row["recovered"]) == ("sent", sent[0]["id"], True)


async def test_an_opt_out_while_a_campaign_text_is_in_doubt_wins_when_it_never_landed(
    rig: EgressRig,
) -> None:
    rig.clock.set(TUESDAY_NOON_ET)
    await marketing(rig)
    await rig.sim.faults(rest_error_rate=1.0, rest_error_statuses=[504])  # before acceptance
    egress = rig.bulk()
    await egress.send_due()
    row = await rig.row("M1")
    assert row["status"] == "sending", (row["status"], row["last_error"], row["reason"])

    await rig.suppress(FLORIDA)  # the person texts STOP meanwhile
    await rig.sim.faults()  # OpenPhone recovers
    rig.clock.advance(LANDED)
    await egress.send_due()

    assert await rig.outgoing(FLORIDA) == []
    row = await rig.row("M1")
    assert (row["status"], row["reason"]) == ("refused", "opted_out")
    assert await rig.results() == [("send.refused", "M1", "opted_out")]


async def test_an_opt_out_while_a_campaign_text_is_in_doubt_records_it_sent_when_it_landed(
    rig: EgressRig,
) -> None:
    rig.clock.set(TUESDAY_NOON_ET)
    await marketing(rig)
    await rig.sim.faults(rest_error_rate=1.0, rest_error_statuses=[504], rest_error_after_send=True)
    egress = rig.bulk()
    await egress.send_due()

    await rig.suppress(FLORIDA)
    await rig.sim.faults()
    rig.clock.advance(LANDED)
    await egress.send_due()

    sent = await rig.outgoing(FLORIDA)
    assert len(sent) == 1, "it left before the opt-out: recorded, never sent again"
    row = await rig.row("M1")
    assert (row["status"], row["message_id"], row["recovered"]) == ("sent", sent[0]["id"], True)


async def test_a_reply_decided_before_an_opt_out_is_refused_the_confirmation_is_not(
    rig: EgressRig,
) -> None:
    decided = rig.clock() - timedelta(seconds=5)
    await rig.request("H1", purpose="help", requested_at=decided)
    await rig.request("C1", requested_at=decided + timedelta(seconds=1))
    await rig.suppress(at=decided + timedelta(seconds=1))

    assert await rig.egress().send_due() == 2

    assert [m["text"] for m in await rig.outgoing()] == ["Acme: text C1"]
    assert ((await rig.row("H1"))["status"], (await rig.row("H1"))["reason"]) == (
        "refused",
        "opted_out",
    )


@pytest.mark.parametrize(
    ("purpose", "requester", "reason"),
    [
        ("opt_out_confirmation", "campaign-engine", "purpose_not_allowed"),
        ("help", "health-monitor", "purpose_not_allowed"),
        ("marketing", "campaign-engine", "no_express_consent"),
        ("transactional", "campaign-engine", "opted_out"),
    ],
    ids=["confirmation asked by another service", "help asked by another service",
         "marketing without express consent", "transactional to a suppressed number"],
)  # fmt: skip
async def test_the_gate_refuses_with_the_reason(
    rig: EgressRig, purpose: str, requester: str, reason: str
) -> None:
    if purpose == "transactional":
        await rig.suppress()
    await rig.request(purpose=purpose, requester=requester)

    lane = rig.bulk() if purpose in ("marketing", "transactional") else rig.egress()
    await lane.send_due()

    assert await rig.outgoing() == []
    assert await rig.results() == [("send.refused", "R1", reason)]


async def test_marketing_outside_the_recipients_hours_is_held_until_they_open(
    rig: EgressRig,
) -> None:
    rig.clock.set(TUESDAY_LATE_ET)
    await marketing(rig)
    egress = rig.bulk()

    await egress.send_due()
    row = await rig.row("M1")
    assert (row["status"], row["reason"]) == ("held", "outside_window")
    opens = row["next_attempt_at"].astimezone(UTC)
    assert opens == datetime(2026, 3, 4, 14, 0, tzinfo=UTC), "09:00 in Miami, the window's start"
    assert await rig.outgoing(FLORIDA) == []

    rig.clock.set(opens + timedelta(minutes=1))
    await egress.send_due()
    assert len(await rig.outgoing(FLORIDA)) == 1
    assert (await rig.row("M1"))["status"] == "sent"


async def test_a_campaign_no_longer_running_refuses_its_texts(rig: EgressRig) -> None:
    rig.clock.set(TUESDAY_NOON_ET)
    await marketing(rig)
    rig.campaigns.status["C1"] = "paused"

    await rig.bulk().send_due()

    assert await rig.outgoing(FLORIDA) == []
    assert await rig.results() == [("send.refused", "M1", "campaign_inactive")]


async def test_while_campaign_engine_cannot_say_nothing_is_sent(rig: EgressRig) -> None:
    rig.clock.set(TUESDAY_NOON_ET)
    await marketing(rig)
    rig.campaigns.reachable = False

    await rig.bulk().send_due()

    assert await rig.outgoing(FLORIDA) == []
    assert (await rig.row("M1"))["status"] == "held"
    assert await rig.results() == []


@pytest.mark.parametrize(
    ("status", "reason"),
    [(401, "openphone_unauthorized"), (402, "openphone_payment_required")],
    ids=["bad key", "no credit"],
)
async def test_account_refusals_defer_campaign_texts_and_retry_confirmations(
    rig: EgressRig, status: int, reason: str
) -> None:
    rig.clock.set(TUESDAY_NOON_ET)
    await marketing(rig)
    await rig.request("C1")
    await rig.sim.faults(rest_error_rate=1.0, rest_error_statuses=[status])

    await rig.bulk().send_due()
    await rig.egress().send_due()

    assert await rig.results() == [("send.deferred", "M1", reason)]
    confirmation = await rig.row("C1")
    assert (confirmation["status"], confirmation["attempts"]) == ("pending", 1)
    await rig.sim.faults()
    await asyncio.sleep(0.1)
    await rig.egress().send_due()
    assert (await rig.row("C1"))["status"] == "sent"


async def test_a_canary_refused_by_the_account_fails_and_one_past_its_deadline_expires(
    rig: EgressRig,
) -> None:
    await rig.request("K1", purpose="canary", requester="health-monitor")
    await rig.request(
        "K2", purpose="canary", requester="health-monitor",
        expires_at=rig.clock() - timedelta(seconds=1),
    )  # fmt: skip
    await rig.sim.faults(rest_error_rate=1.0, rest_error_statuses=[401])

    await rig.egress().send_due()

    results = {(kind, request): detail for kind, request, detail in await rig.results()}
    assert results[("send.refused", "K2")] == "expired"
    assert str(results[("send.failed", "K1")]).startswith("openphone_unauthorized")


async def test_the_line_cap_counts_every_campaign_on_the_line(rig: EgressRig) -> None:
    rig.clock.set(TUESDAY_NOON_ET)
    for n in range(5):
        await marketing(rig, f"M{n}", campaign_id="C1" if n % 2 else "C2")
    rig.campaigns.status["C2"] = "running"

    await rig.bulk(line_daily_cap=3).send_due()

    assert len(await rig.outgoing(FLORIDA)) == 3
    deferred = [r for r in await rig.results() if r[0] == "send.deferred"]
    assert [(kind, reason) for kind, _, reason in deferred] == [
        ("send.deferred", "line_daily_cap")
    ] * 2


async def test_two_egresses_never_send_one_request_twice(rig: EgressRig) -> None:
    for n in range(8):
        await rig.request(f"R{n}")
    lanes = [rig.egress() for _ in range(3)]

    await asyncio.gather(*(lane.send_due() for lane in lanes))

    assert sorted(m["text"] for m in await rig.outgoing()) == sorted(
        f"Acme: text R{n}" for n in range(8)
    )


async def test_an_opt_out_in_progress_holds_the_send_until_it_commits(rig: EgressRig) -> None:
    """The gate runs under the number's lock: a STOP whose transaction holds it is waited for,
    then seen."""
    rig.clock.set(TUESDAY_NOON_ET)
    await marketing(rig)
    async with rig.engine.connect() as stop:
        transaction = await stop.begin()
        await stop.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended('compliance.number:' || :p, 0))"),
            {"p": FLORIDA},
        )
        sending = asyncio.create_task(rig.bulk().send_due())
        await asyncio.sleep(0.5)
        assert not sending.done(), "the send waits for the opt-out's transaction"
        await stop.execute(
            text("INSERT INTO suppressions VALUES (:p, 'E1', now())"), {"p": FLORIDA}
        )
        await transaction.commit()
    await sending

    assert await rig.outgoing(FLORIDA) == []
    assert await rig.results() == [("send.refused", "M1", "opted_out")]


async def _sending(rig: EgressRig, started: datetime) -> None:
    """What a process killed right after committing `sending` left behind."""
    async with rig.engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE outbound_messages SET status = 'sending', attempts = 1, "
                "send_started_at = :at, next_attempt_at = :at, consent = 'unknown'"
            ),
            {"at": started},
        )
