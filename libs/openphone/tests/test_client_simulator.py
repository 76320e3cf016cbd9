"""The client against the running simulator over real HTTP: every endpoint, pagination, query
encoding, the per-key limiter, and OpenPhone's errors as typed exceptions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from smsbus.openphone import (
    BadRequest,
    DailyCapReached,
    NotFound,
    OpenPhoneClient,
    OpenPhoneError,
    RetryPolicy,
    TokenBucket,
    Unauthorized,
)
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator

CUSTOMER = "+15555550123"
FAST = TokenBucket(rate=1000.0, burst=100)  # for tests about something other than the limit


def client_for(sim: RunningSimulator, **overrides: Any) -> OpenPhoneClient:
    options: dict[str, Any] = {"base_url": sim.base_url, "api_key": sim.api_key, "bucket": FAST}
    return OpenPhoneClient(**(options | overrides))


async def rest_requests(sim: RunningSimulator, method: str, path: str) -> list[dict[str, Any]]:
    return [r for r in await sim.requests() if (r["method"], r["path"]) == (method, path)]


async def test_250_sends_come_back_through_pagination_exactly_once() -> None:
    async with running_simulator(speed=1000, rate_limit_per_second=100) as sim:
        bucket = TokenBucket(rate=100.0, burst=10)
        async with client_for(sim, bucket=bucket) as openphone:
            line = (await openphone.list_phone_numbers())[0].id
            sent = await asyncio.gather(
                *(
                    openphone.send_message(from_=line, to=[CUSTOMER], content=f"message {n}")
                    for n in range(250)
                )
            )
            by_hundreds = [
                m.id
                async for m in openphone.list_messages(
                    phone_number_id=line, participants=[CUSTOMER]
                )
            ]
            by_sevens = [
                m.id
                async for m in openphone.list_messages(
                    phone_number_id=line, participants=[CUSTOMER], page_size=7
                )
            ]

        sent_ids = {message.id for message in sent}
        assert len(sent_ids) == 250
        for listed in (by_hundreds, by_sevens):
            assert len(listed) == 250  # nothing twice ...
            assert set(listed) == sent_ids  # ... nothing missing
        posts = await rest_requests(sim, "POST", "/v1/messages")
        assert [post["status"] for post in posts] == [202] * 250  # one POST each, no 429
        pages = await rest_requests(sim, "GET", "/v1/messages")
        assert len(pages) == 3 + 36
        assert (
            pages[0]["query"] == f"phoneNumberId={line}&participants=%2B15555550123&maxResults=100"
        )
        assert "pageToken=" in pages[1]["query"]
        assert pages[2]["answer"]["nextPageToken"] is None


async def test_every_client_for_one_key_shares_its_10_per_second() -> None:
    async with running_simulator(speed=1000) as sim:  # OpenPhone's limit: 10/s per key
        two_clients = [
            OpenPhoneClient(base_url=sim.base_url, api_key=sim.api_key, rate=10.0, burst=5)
            for _ in range(2)
        ]
        began = time.monotonic()
        await asyncio.gather(*(c.list_phone_numbers() for c in two_clients for _ in range(15)))
        took = time.monotonic() - began
        for client in two_clients:
            await client.aclose()
        statuses = [r["status"] for r in await rest_requests(sim, "GET", "/v1/phone-numbers")]
        assert statuses == [200] * 30  # never a 429: the two clients kept to one budget
        assert took >= (30 - 5) / 10 - 0.05


async def test_the_read_endpoints() -> None:
    async with running_simulator(speed=1000) as sim:
        caller = "+15555550177"
        call = (
            await sim.inbound_call(sender=caller, to=sim.lines[0], summary=True, transcript=True)
        )["data"]["call"]
        async with client_for(sim) as openphone:
            lines = await openphone.list_phone_numbers()
            line = next(line for line in lines if line.number == sim.lines[0])
            calls = [
                c
                async for c in openphone.list_calls(phone_number_id=line.id, participants=[caller])
            ]
            got_call = await openphone.get_call(call["id"])
            summary = await openphone.get_call_summary(call["id"])
            transcript = await openphone.get_call_transcript(call["id"])
            conversations = [
                c async for c in openphone.list_conversations(phone_numbers=[line.number])
            ]
            contacts = [c async for c in openphone.list_contacts(page_size=2)]
            contact = await openphone.get_contact(contacts[0].id)
            sent = await openphone.send_message(from_=line.number, to=CUSTOMER, content="By number")
            got_message = await openphone.get_message(sent.id)

        assert [line.number for line in lines] == sim.lines
        assert [c.id for c in calls] == [call["id"]]
        assert (got_call.id, got_call.participants) == (call["id"], [caller])
        assert (summary.call_id, summary.status) == (call["id"], "completed")
        assert summary.summary
        assert transcript.call_id == call["id"]
        assert transcript.dialogue
        assert caller in {p for c in conversations for p in c.participants}
        assert len(contacts) == 3  # seeded demo contacts, over two pages
        assert contact == contacts[0]
        assert (got_message.id, got_message.text, got_message.phone_number_id) == (
            sent.id, "By number", line.id,
        )  # fmt: skip


@dataclass(frozen=True)
class ErrorCase:
    label: str
    call: Callable[[OpenPhoneClient, str], Awaitable[object]]
    """What to ask, given our first line's id."""
    expected: type[OpenPhoneError]
    status: int
    code: str
    faults: dict[str, Any] | None = None
    api_key: str | None = None


async def _first(openphone: OpenPhoneClient, line: str, participants: list[str]) -> object:
    return [c async for c in openphone.list_calls(phone_number_id=line, participants=participants)]


ERROR_CASES = [
    ErrorCase("a wrong key", lambda op, _: op.list_phone_numbers(), Unauthorized, 401, "0200401", api_key="not-the-key"),
    ErrorCase("an unknown message", lambda op, _: op.get_message("ACdoesnotexist"), NotFound, 404, "0200404"),
    ErrorCase("two participants for calls", lambda op, line: _first(op, line, [CUSTOMER, "+15555550124"]), BadRequest, 400, "0101400"),
    ErrorCase("the line's daily cap", lambda op, line: op.send_message(from_=line, to=CUSTOMER, content="Hi"), DailyCapReached, 403, "0204403", faults={"daily_cap": 0}),
]  # fmt: skip


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c.label)
async def test_openphone_errors_arrive_typed(case: ErrorCase) -> None:
    async with running_simulator(speed=1000) as sim:
        async with client_for(sim) as openphone:
            line = (await openphone.list_phone_numbers())[0].id
        if case.faults:
            await sim.faults(**case.faults)
        key = case.api_key or sim.api_key
        retry = RetryPolicy(max_attempts=1)
        async with client_for(sim, api_key=key, retry=retry) as openphone:
            with pytest.raises(case.expected) as raised:
                await case.call(openphone, line)
        error = raised.value
        assert (type(error), error.status, error.code) == (case.expected, case.status, case.code)
        assert error.body is not None
        assert error.body.message == error.message
        assert key not in str(error)


async def test_an_invalid_send_is_refused_before_anything_leaves() -> None:
    async with running_simulator(speed=1000) as sim, client_for(sim) as openphone:
        with pytest.raises(ValidationError):
            await openphone.send_message(from_="PN1", to=CUSTOMER, content="   ")
        assert await rest_requests(sim, "POST", "/v1/messages") == []
