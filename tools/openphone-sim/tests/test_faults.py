"""Fault injection through /sim/faults: each fault's outcome, and the same seed giving the
same decisions."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from smsbus.openphone_sim.testing import RunningSimulator, running_simulator

from .conftest import Receiver

CUSTOMER = "+15555550142"


async def inbound(sim: RunningSimulator, count: int) -> list[str]:
    return [
        (await sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text=f"m{index}"))["data"][
            "id"
        ]
        for index in range(count)
    ]


async def test_dropped_webhooks_never_arrive_but_the_facts_stay_in_rest(receiver: Receiver) -> None:
    async with running_simulator(webhook_urls=[receiver.url], speed=1000) as sim:
        await sim.faults(drop_rate=1)
        [message_id] = await inbound(sim, 1)
        await sim.settle()
        deliveries = await sim.deliveries()
        async with sim.client() as openphone:
            fetched = await openphone.get(f"/v1/messages/{message_id}")

    assert receiver.received == []
    assert [(d["outcome"], d["type"]) for d in deliveries] == [("dropped", "message.received")]
    assert fetched.json()["data"]["text"] == "m0"


async def test_duplicated_webhooks_arrive_twice_with_the_same_event_id(receiver: Receiver) -> None:
    async with running_simulator(webhook_urls=[receiver.url], speed=1000) as sim:
        await sim.faults(duplicate_rate=1)
        await inbound(sim, 2)
        await sim.settle()

    assert len(receiver.received) == 4
    ids = [item.event_id for item in receiver.received]
    assert len(set(ids)) == 2
    assert all(ids.count(i) == 2 for i in ids)


async def test_delayed_webhooks_arrive_late_and_out_of_order(receiver: Receiver) -> None:
    async with running_simulator(webhook_urls=[receiver.url], retry_schedule=[0]) as sim:
        await sim.clock(frozen=True)
        await sim.faults(delay_rate=1, delay_max_seconds=60)
        sent = await inbound(sim, 8)
        await sim.settle()
        before_the_delay = len(receiver.received)
        await sim.clock(advance=60)
        await sim.settle()

    arrived = [item.resource["id"] for item in receiver.received]
    assert before_the_delay < len(sent)
    assert sorted(arrived) == sorted(sent)
    assert arrived != sent


async def test_no_webhook_is_delivered_during_an_outage_and_retries_deliver_after(
    receiver: Receiver,
) -> None:
    async with running_simulator(
        webhook_urls=[receiver.url], retry_schedule=[0, 5, 300, 1800]
    ) as sim:
        await sim.clock(set="2025-06-01T12:00:00Z", frozen=True)
        await sim.faults(outage_start="2025-06-01T12:00:00Z", outage_end="2025-06-01T12:10:00Z")
        await inbound(sim, 1)
        for seconds in (5, 300):
            await sim.clock(advance=seconds)
            await sim.settle()
        during = len(receiver.received)
        await sim.clock(advance=1800)
        await sim.settle()
        deliveries = await sim.deliveries()

    assert during == 0
    assert [d["outcome"] for d in deliveries] == ["outage", "outage", "outage", "delivered"]
    assert len(receiver.received) == 1


async def test_an_outage_can_be_given_as_seconds_from_now(receiver: Receiver) -> None:
    async with running_simulator(webhook_urls=[receiver.url], retry_schedule=[0]) as sim:
        await sim.clock(frozen=True)
        set_faults = (await sim.faults(outage_seconds=30))["data"]
        await inbound(sim, 1)
        await sim.clock(advance=31)
        await inbound(sim, 1)
        await sim.settle()
        outcomes = [d["outcome"] for d in await sim.deliveries()]

    assert set_faults["outage_start"] is not None
    assert set_faults["outage_end"] is not None
    assert outcomes == ["outage", "delivered"]


async def statuses(sim: RunningSimulator, count: int) -> list[int]:
    async with sim.client() as openphone:
        return [(await openphone.get("/v1/phone-numbers")).status_code for _ in range(count)]


async def test_rest_errors_come_at_the_configured_rate_with_the_error_envelope() -> None:
    async with running_simulator(rate_limit_per_second=0) as sim:
        await sim.faults(rest_error_rate=0.5, rest_error_statuses=[429, 503])
        seen = await statuses(sim, 60)
        async with sim.client() as openphone:
            answers = [await openphone.get("/v1/phone-numbers") for _ in range(20)]

    errors = [code for code in seen if code != 200]
    assert 15 <= len(errors) <= 45
    assert set(errors) == {429, 503}
    failed = next(answer for answer in answers if answer.status_code != 200)
    assert failed.json()["status"] == failed.status_code
    assert failed.json()["code"]


async def test_the_same_seed_gives_the_same_fault_decisions(receiver: Receiver) -> None:
    async def run(sim: RunningSimulator, seed: int) -> tuple[list[int], list[str]]:
        await sim.reset(seed=1)
        receiver.received.clear()
        await sim.faults(seed=seed, rest_error_rate=0.3, drop_rate=0.5)
        rest = await statuses(sim, 30)
        await inbound(sim, 20)
        await sim.settle()
        return rest, sorted(item.resource["text"] for item in receiver.received)

    async with running_simulator(
        webhook_urls=[receiver.url], rate_limit_per_second=0, speed=1000
    ) as sim:
        first = await run(sim, 11)
        again = await run(sim, 11)
        other = await run(sim, 12)

    assert first == again
    assert first != other
    assert 0 < len(first[1]) < 20


async def test_an_injected_5xx_after_the_send_still_sends() -> None:
    async with running_simulator(rate_limit_per_second=0) as sim, sim.client() as openphone:
        await sim.faults(rest_error_rate=1, rest_error_statuses=[502], rest_error_after_send=True)
        answer = await openphone.post(
            "/v1/messages", json={"content": "did it go?", "from": sim.lines[0], "to": [CUSTOMER]}
        )
        stored = await sim.messages(to=CUSTOMER, direction="outgoing")

    assert answer.status_code == 502
    assert [m["text"] for m in stored][-1] == "did it go?"


async def send(openphone: httpx.AsyncClient, line: str) -> httpx.Response:
    return await openphone.post(
        "/v1/messages", json={"content": "hi", "from": line, "to": [CUSTOMER]}
    )


async def test_the_daily_cap_refuses_sends_per_line_per_day_with_0204403() -> None:
    async with running_simulator(rate_limit_per_second=0) as sim, sim.client() as openphone:
        await sim.clock(set="2025-06-01T12:00:00Z", frozen=True)
        await sim.faults(daily_cap=2)
        first_line = [(await send(openphone, sim.lines[0])).status_code for _ in range(3)]
        capped = await send(openphone, sim.lines[0])
        second_line = (await send(openphone, sim.lines[1])).status_code
        await sim.clock(advance=12 * 3600)
        next_day = (await send(openphone, sim.lines[0])).status_code

    assert first_line == [202, 202, 403]
    assert (capped.json()["code"], capped.json()["status"]) == ("0204403", 403)
    assert capped.json()["message"] == "A2P 10DLC Daily Message Cap Reached"
    assert (second_line, next_day) == (202, 202)


async def test_slow_responses_outlast_a_short_client_timeout() -> None:
    async with running_simulator() as sim, sim.client(timeout=0.2) as openphone:
        await sim.faults(slow_rate=1, slow_seconds=0.6)
        with pytest.raises(httpx.ReadTimeout):
            await openphone.get("/v1/phone-numbers")
        await sim.faults()
        assert (await openphone.get("/v1/phone-numbers")).status_code == 200


async def test_more_than_ten_requests_a_second_per_key_get_429() -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        answers = await asyncio.gather(*(openphone.get("/v1/phone-numbers") for _ in range(20)))

    codes = [answer.status_code for answer in answers]
    assert codes.count(200) >= 10
    assert 429 in codes
    limited = next(answer for answer in answers if answer.status_code == 429)
    assert limited.headers["retry-after"] == "1"
    assert limited.json()["status"] == 429


async def test_faults_are_read_back_and_cleared_by_an_empty_set() -> None:
    async with running_simulator() as sim:
        await sim.faults(drop_rate=0.25, failing_numbers={CUSTOMER: "undelivered"})
        read: dict[str, Any] = (await sim.admin.get("/sim/faults")).json()["data"]
        await sim.faults()
        cleared = (await sim.admin.get("/sim/faults")).json()["data"]
        refused = await sim.admin.post("/sim/faults", json={"drop_rate": 2})

    assert (read["drop_rate"], read["failing_numbers"]) == (0.25, {CUSTOMER: "undelivered"})
    assert cleared["drop_rate"] == 0
    assert refused.status_code == 400
