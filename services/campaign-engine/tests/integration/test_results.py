"""The egress's answers through the real consumer path (Kafka → subscriber → handler, inbox
row in the same transaction): each outcome moves its member, stale and repeated answers change
nothing, a deferral pauses the campaign with its reason, and resuming asks again for each
pending member once, under a new request id."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from smsbus.contracts.outbound import (
    SendAccepted,
    SendDeferred,
    SendFailed,
    SendRefused,
    SendRequested,
    SendWindow,
)

from .rig import LINE, START, Rig, eventually, of

pytestmark = [pytest.mark.integration, pytest.mark.slow]

A, B, C, D, E = "+12125550143", "+13125550144", "+16175550145", "+12125550146", "+13125550147"
TOMORROW = datetime(2026, 3, 4, tzinfo=UTC)


def accepted(request: SendRequested, message_id: str, at: datetime = START) -> SendAccepted:
    return SendAccepted(**of(request, at), message_id=message_id, sent_at=at, consent="opted_in")


async def settled(rig: Rig) -> None:
    """Every answer published so far is handled (each has an inbox row of its own)."""
    await eventually(lambda: _handled(rig))


async def _handled(rig: Rig) -> bool:
    count = await rig.scalar("SELECT count(*) FROM processed_events WHERE dedupe_key LIKE 'send.%'")
    return bool(count >= len(rig.answered))


async def statuses(rig: Rig) -> dict[str, tuple[str, str | None, int]]:
    rows = await rig.rows("SELECT phone, status, reason, attempts FROM members")
    return {r.phone: (r.status, r.reason, r.attempts) for r in rows}


async def test_each_member_is_requested_once_with_what_the_egress_needs(rig: Rig) -> None:
    campaign_id = await rig.campaign([A, B], states={A: "fl"})
    requests = await rig.requested(2)
    members = {r.phone: r.id for r in await rig.rows("SELECT phone, id FROM members")}
    assert requests[A] == SendRequested(
        request_id=f"{members[A]}:1", purpose="marketing", requester="campaign-engine", to=A,
        line=LINE, text="Hi P0", campaign_id=campaign_id, member_id=members[A],
        window=SendWindow(days=[0, 1, 2, 3, 4]), recipient_state="FL", requested_at=START,
    ).model_copy(update={"requested_at": requests[A].requested_at})  # fmt: skip
    assert abs(requests[A].requested_at - START) < timedelta(seconds=30)
    assert requests[B].recipient_state is None
    await asyncio.sleep(1.0)  # several dispatch rounds: nobody `sending` is asked for again
    assert len(await rig.requests()) == 2
    assert await statuses(rig) == {A: ("sending", None, 1), B: ("sending", None, 1)}
    assert await rig.scalar("SELECT used FROM campaign_days") == 2
    assert await rig.scalar("SELECT segments FROM line_days") == 2
    await eventually(lambda: _published(rig))
    assert await rig.metric("members_dispatched_total", outcome="requested") == 2


async def test_each_outcome_moves_its_member(rig: Rig) -> None:
    await rig.campaign([A, B, C, D, E])
    requests = await rig.requested(5)
    await rig.answer(accepted(requests[A], "ACa1"))
    await rig.answer(SendRefused(**of(requests[B], START), reason="opted_out"))
    await rig.answer(SendRefused(**of(requests[C], START), reason="campaign_inactive"))
    await rig.answer(SendFailed(**of(requests[D], START), reason="openphone_400:invalid_to"))
    await rig.answer(
        SendDeferred(
            **of(requests[E], START), reason="line_daily_cap", scope="line", retry_at=TOMORROW
        )
    )
    await settled(rig)

    # C's campaign still runs: it is asked for again at once, under its next attempt.
    again = await rig.requested(6)
    assert again[C].request_id == f"{again[C].member_id}:2"
    assert await statuses(rig) == {
        A: ("sent", None, 1),
        B: ("skipped", "opted_out", 1),
        C: ("sending", "campaign_inactive", 2),
        D: ("failed", "openphone_400:invalid_to", 1),
        E: ("pending", "line_daily_cap", 1),
    }
    a, e = await rig.member(A), await rig.member(E)
    assert (a.message_id, a.sent_at) == ("ACa1", START)
    assert e.next_attempt_at == TOMORROW
    assert (await rig.api.get(f"/v1/campaigns/{again[C].campaign_id}")).json()[
        "status"
    ] == "running"
    # The texts not sent gave back what they counted (B, E; C's first attempt, then its second).
    assert await rig.scalar("SELECT used FROM campaign_days") == 3
    assert await rig.scalar("SELECT segments FROM line_days") == 3
    emitted = Counter(r[0] for r in await rig.rows("SELECT event_type FROM outbox"))
    assert emitted == {
        "send.requested": 6,
        "member.sent": 1,
        "member.skipped": 1,
        "member.failed": 1,
    }
    for outcome in ("sent", "refused", "requeued", "failed", "capped"):
        assert await rig.metric("members_dispatched_total", outcome=outcome) == 1, outcome


async def test_stale_and_repeated_answers_change_nothing(rig: Rig) -> None:
    await rig.campaign([A])
    first = (await rig.requested(1))[A]
    await rig.answer(SendRefused(**of(first, START), reason="campaign_inactive"))
    second = (await rig.requested(2))[A]
    assert second.request_id.endswith(":2")

    await rig.answer(accepted(first, "ACstale"), event_id="late-answer-to-attempt-1")
    await rig.answer(
        accepted(second, "ACother").model_copy(update={"requester": "health-monitor"}),
        event_id="someone-elses",
    )
    await rig.answer(
        accepted(second, "ACnobody").model_copy(update={"member_id": None}), event_id="no-member"
    )
    await rig.answer(accepted(second, "ACa2"))
    await rig.answer(accepted(second, "ACa2"))  # redelivered: the inbox drops it
    await rig.answer(SendFailed(**of(second, START), reason="late"), event_id="after-it-was-sent")
    await settled(rig)

    member = await rig.member(A)
    assert (member.status, member.message_id, member.attempts, member.failed_at) == (
        "sent",
        "ACa2",
        2,
        None,
    )
    emitted = Counter(r[0] for r in await rig.rows("SELECT event_type FROM outbox"))
    assert emitted == {"send.requested": 2, "member.sent": 1}
    assert await rig.metric("members_dispatched_total", outcome="sent") == 1


async def test_a_deferral_pauses_the_campaign_and_resume_asks_each_pending_member_once(
    rig: Rig,
) -> None:
    campaign_id = await rig.campaign([A, B, C, D])
    requests = await rig.requested(4)
    rig.clock.set(START + timedelta(minutes=5))
    await rig.answer(
        SendDeferred(**of(requests[A], START), reason="openphone_payment_required", scope="account")
    )
    await rig.answer(
        SendRefused(**of(requests[B], START), reason="campaign_inactive")
    )  # the egress saw the pause
    await rig.answer(SendRefused(**of(requests[C], START), reason="campaign_inactive"))
    await rig.answer(accepted(requests[D], "ACd1"))  # it had left before
    await settled(rig)

    body = (await rig.api.get(f"/v1/campaigns/{campaign_id}")).json()
    assert (body["status"], body["pause_reason"]) == ("paused", "openphone_payment_required")
    assert abs(
        datetime.fromisoformat(body["paused_at"]) - (START + timedelta(minutes=5))
    ) < timedelta(seconds=30)
    assert await statuses(rig) == {
        A: ("pending", "openphone_payment_required", 1),
        B: ("pending", "campaign_inactive", 1),
        C: ("pending", "campaign_inactive", 1),
        D: ("sent", None, 1),
    }
    assert await rig.metric("campaign_pauses_total", reason="openphone_payment_required") == 1
    await eventually(lambda: _gauge(rig, "openphone_payment_required", 1))
    await asyncio.sleep(1.0)  # several dispatch rounds: a paused campaign asks for nothing
    assert len(await rig.requests()) == 4

    resumed = (await rig.api.post(f"/v1/campaigns/{campaign_id}/resume")).json()
    assert (resumed["status"], resumed["pause_reason"], resumed["paused_at"]) == (
        "running",
        None,
        None,
    )
    again = await rig.requested(7)
    await asyncio.sleep(1.0)
    per_member = Counter(r.member_id for r in await rig.requests())
    assert sorted(per_member.values()) == [1, 2, 2, 2]  # D once; A, B, C once more each
    for phone in (A, B, C):
        assert again[phone].request_id == f"{again[phone].member_id}:2"
        await rig.answer(accepted(again[phone], f"AC{phone[-4:]}"))
    await settled(rig)
    assert {s for s, _, _ in (await statuses(rig)).values()} == {"sent"}
    await eventually(lambda: _gauge(rig, "openphone_payment_required", 0))

    async def completed() -> bool:
        return bool(
            (await rig.api.get(f"/v1/campaigns/{campaign_id}")).json()["status"] == "completed"
        )

    await eventually(completed)


async def test_a_manual_pause_says_so_until_resumed(rig: Rig) -> None:
    campaign_id = await rig.campaign([A])  # one member `sending`: the campaign is not drained
    await rig.requested(1)
    paused = (await rig.api.post(f"/v1/campaigns/{campaign_id}/pause")).json()
    assert (paused["status"], paused["pause_reason"]) == ("paused", "manual")
    assert paused["paused_at"] is not None
    assert (await rig.api.get(f"/v1/campaigns/{campaign_id}")).json()["pause_reason"] == "manual"
    assert await rig.metric("campaign_pauses_total", reason="manual") == 1
    await eventually(lambda: _gauge(rig, "manual", 1))
    resumed = (await rig.api.post(f"/v1/campaigns/{campaign_id}/resume")).json()
    assert (resumed["status"], resumed["pause_reason"], resumed["paused_at"]) == (
        "running",
        None,
        None,
    )


async def _gauge(rig: Rig, reason: str, expected: float) -> bool:
    return await rig.metric("campaigns_paused", reason=reason) == expected


async def _published(rig: Rig) -> bool:
    return bool(await rig.scalar("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0)
