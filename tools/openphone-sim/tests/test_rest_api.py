"""The REST API's envelopes, errors and pagination, checked against the contract models."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from smsbus.contracts import Message
from smsbus.contracts.rest import (
    Conversation,
    DataResponse,
    ErrorBody,
    ListResponse,
    PhoneNumber,
    User,
)
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator

CUSTOMER = "+15555550142"
KEY = "smsbus-local-development-api-key"


def error_of(answer: Any) -> ErrorBody:
    return ErrorBody.model_validate(answer.json())


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "wrong"}, id="wrong"),
        pytest.param({"Authorization": f"Bearer {KEY}"}, id="bearer"),
    ],
)
async def test_a_request_without_the_raw_key_gets_401(headers: dict[str, str]) -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        openphone.headers.pop("Authorization")
        answer = await openphone.get("/v1/phone-numbers", headers=headers)

    assert answer.status_code == 401
    assert (error_of(answer).code, error_of(answer).status) == ("0200401", 401)


def send_body(sim: RunningSimulator, **change: Any) -> dict[str, Any]:
    return {"content": "Hi", "from": sim.lines[0], "to": [CUSTOMER], **change}


# change to a valid send, the path the error names
INVALID_SENDS = [
    pytest.param({"content": "   "}, "/content", id="whitespace-only"),
    pytest.param({"content": ""}, "/content", id="empty"),
    pytest.param({"content": "x" * 1601}, "/content", id="too-long"),
    pytest.param({"to": []}, "/to", id="no-recipient"),
    pytest.param({"to": ["5555550142"]}, "/to/0", id="not-e164"),
    pytest.param({"from": "+19995550000"}, "/from", id="not-our-line"),
]


@pytest.mark.parametrize(("change", "path"), INVALID_SENDS)
async def test_an_invalid_send_gets_400_with_errors(change: dict[str, Any], path: str) -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        answer = await openphone.post("/v1/messages", json=send_body(sim, **change))
        listed = await sim.messages(direction="outgoing", to=CUSTOMER)

    error = error_of(answer)
    assert (answer.status_code, error.code) == (400, "0200400")
    assert [detail.path for detail in error.errors] == [path]
    assert all(m["text"] != "Hi" for m in listed), "nothing was sent"


async def test_from_may_be_the_phone_number_id() -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        lines = ListResponse[PhoneNumber].model_validate(
            (await openphone.get("/v1/phone-numbers")).json()
        )
        answer = await openphone.post(
            "/v1/messages", json=send_body(sim, **{"from": lines.data[0].id})
        )

    assert answer.status_code == 202
    assert answer.json()["data"]["from"] == sim.lines[0]


@pytest.mark.parametrize(
    "path",
    ["/v1/messages/ACnope", "/v1/calls/ACnope", "/v1/call-summaries/ACnope", "/v1/contacts/ffff",
     "/v1/webhooks/WHnope", "/v1/users/USnope", "/v1/phone-numbers/PNnope", "/v1/nothing-here"],
)  # fmt: skip
async def test_unknown_ids_get_404(path: str) -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        answer = await openphone.get(path)

    assert answer.status_code == 404
    assert error_of(answer).code == "0200404"


async def send_many(sim: RunningSimulator, count: int, to: str = CUSTOMER) -> list[str]:
    async with sim.client() as openphone:
        ids = []
        for index in range(count):
            answer = await openphone.post(
                "/v1/messages", json=send_body(sim, content=f"m{index}", to=[to])
            )
            ids.append(answer.json()["data"]["id"])
        return ids


async def walk(sim: RunningSimulator, params: list[tuple[str, str]]) -> list[ListResponse[Message]]:
    pages = []
    token = None
    async with sim.client() as openphone:
        while True:
            query = params + ([("pageToken", token)] if token else [])
            answer = await openphone.get("/v1/messages", params=query)
            assert answer.status_code == 200, answer.text
            pages.append(ListResponse[Message].model_validate(answer.json()))
            token = pages[-1].next_page_token
            if token is None:
                return pages


@pytest.mark.parametrize(
    "participants",
    [
        pytest.param([("participants[]", CUSTOMER)], id="brackets"),
        pytest.param([("participants", CUSTOMER)], id="plain"),
    ],
)
async def test_messages_page_newest_first_until_the_token_is_null(
    participants: list[tuple[str, str]],
) -> None:
    async with running_simulator(demo_history=False, rate_limit_per_second=0) as sim:
        sent = await send_many(sim, 7)
        line = (await sim.messages())[0]["phoneNumberId"]
        pages = await walk(sim, [("phoneNumberId", line), ("maxResults", "3"), *participants])

    assert [len(page.data) for page in pages] == [3, 3, 1]
    assert [m.id for page in pages for m in page.data] == list(reversed(sent))
    assert pages[0].total_items == 7
    assert pages[-1].next_page_token is None


async def test_a_group_is_its_own_participant_set_and_plus_travels_encoded() -> None:
    group = ["+15555550142", "+15555550143"]
    async with running_simulator(demo_history=False) as sim, sim.client() as openphone:
        await openphone.post("/v1/messages", json=send_body(sim, to=group))
        await openphone.post("/v1/messages", json=send_body(sim, to=group[:1]))
        line = (await sim.messages())[0]["phoneNumberId"]
        repeated = await openphone.get(
            f"/v1/messages?phoneNumberId={line}&participants=%2B15555550142&participants=%2B15555550143"
        )
        single = await openphone.get(
            f"/v1/messages?phoneNumberId={line}&participants%5B%5D=%2B15555550142"
        )

    assert [m["to"] for m in repeated.json()["data"]] == [group]
    assert [m["to"] for m in single.json()["data"]] == [group[:1]]


async def test_paging_is_stable_while_new_messages_arrive() -> None:
    async with running_simulator(demo_history=False, rate_limit_per_second=0) as sim:
        first = await send_many(sim, 4)
        line = (await sim.messages())[0]["phoneNumberId"]
        params = {"phoneNumberId": line, "participants[]": CUSTOMER, "maxResults": "2"}
        async with sim.client() as openphone:
            page_one = (await openphone.get("/v1/messages", params=params)).json()
            await asyncio.gather(
                *(
                    sim.inbound_message(sender=CUSTOMER, to=sim.lines[0], text="new")
                    for _ in range(3)
                )
            )
            page_two = (
                await openphone.get(
                    "/v1/messages", params={**params, "pageToken": page_one["nextPageToken"]}
                )
            ).json()

    served = [m["id"] for m in page_one["data"] + page_two["data"]]
    assert served == list(reversed(first))
    assert page_two["nextPageToken"] is None


async def test_created_after_and_before_bound_the_list() -> None:
    async with running_simulator(demo_history=False) as sim:
        await sim.clock(set="2025-01-01T10:00:00Z", frozen=True)
        await send_many(sim, 1)
        await sim.clock(set="2025-01-02T10:00:00Z")
        later = await send_many(sim, 1)
        line = (await sim.messages())[0]["phoneNumberId"]
        async with sim.client() as openphone:
            base = {"phoneNumberId": line, "participants": CUSTOMER}
            after = await openphone.get(
                "/v1/messages", params={**base, "createdAfter": "2025-01-02T00:00:00Z"}
            )
            before = await openphone.get(
                "/v1/messages", params={**base, "createdBefore": "2025-01-02T00:00:00Z"}
            )

    assert [m["id"] for m in after.json()["data"]] == later
    assert len(before.json()["data"]) == 1
    assert before.json()["data"][0]["createdAt"] == "2025-01-01T10:00:00.000Z"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("participants=%2B15555550142", id="no-phone-number-id"),
        pytest.param("phoneNumberId={line}", id="no-participants"),
        pytest.param(
            "phoneNumberId={line}&participants=%2B15555550142&maxResults=101", id="too-many-results"
        ),
        pytest.param(
            "phoneNumberId={line}&participants=%2B15555550142&createdAfter=yesterday", id="bad-date"
        ),
        pytest.param(
            "phoneNumberId={line}&participants=%2B15555550142&pageToken=garbage", id="bad-token"
        ),
    ],
)
async def test_a_bad_list_query_gets_400(query: str) -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        line = (await openphone.get("/v1/phone-numbers")).json()["data"][0]["id"]
        answer = await openphone.get("/v1/messages?" + query.format(line=line))

    assert answer.status_code == 400, answer.text
    assert error_of(answer).code == "0200400"


async def test_the_workspace_endpoints_serve_the_contract_shapes() -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        lines = ListResponse[PhoneNumber].model_validate(
            (await openphone.get("/v1/phone-numbers")).json()
        )
        users = ListResponse[User].model_validate((await openphone.get("/v1/users")).json())
        one_line = DataResponse[PhoneNumber].model_validate(
            (await openphone.get(f"/v1/phone-numbers/{lines.data[0].id}")).json()
        )
        conversations = ListResponse[Conversation].model_validate(
            (
                await openphone.get("/v1/conversations", params={"phoneNumbers[]": sim.lines[0]})
            ).json()
        )

    assert [line.number for line in lines.data] == sim.lines
    assert all(line.id.startswith("PN") for line in lines.data)
    assert all(user.id.startswith("US") for user in users.data)
    assert one_line.data.users[0].role == "owner"
    assert [c.participants for c in conversations.data] == [[CUSTOMER]]
    assert conversations.data[0].id.startswith("CN")
    assert conversations.data[0].last_activity_id is not None


async def test_the_same_seed_gives_the_same_ids() -> None:
    async with running_simulator(seed=7) as first, first.client() as openphone:
        ids_first = [
            m["id"] for m in (await openphone.get("/v1/phone-numbers")).json()["data"]
        ] + await send_many(first, 2)
    async with running_simulator(seed=7) as second, second.client() as openphone:
        ids_second = [
            m["id"] for m in (await openphone.get("/v1/phone-numbers")).json()["data"]
        ] + await send_many(second, 2)
    async with running_simulator(seed=8) as other, other.client() as openphone:
        ids_other = [m["id"] for m in (await openphone.get("/v1/phone-numbers")).json()["data"]]

    assert ids_first == ids_second
    assert ids_other != ids_first[:2]


async def test_conversations_listed_by_update_carry_their_last_activity() -> None:
    """What the reconciler's fast pass relies on: every message or call moves its
    conversation's updatedAt and lastActivityId/At, and updatedAfter lists only those moved."""
    async with running_simulator(demo_history=False) as sim, sim.client() as openphone:
        line = sim.lines[0]

        async def listed(**params: str) -> list[Conversation]:
            answer = await openphone.get("/v1/conversations", params={"maxResults": 100, **params})
            return ListResponse[Conversation].model_validate(answer.json()).data

        first = (await sim.inbound_message(sender=CUSTOMER, to=line, text="hi"))["data"]
        other = (await sim.inbound_message(sender="+15555550143", to=line, text="yo"))["data"]
        [before] = [c for c in await listed() if c.participants == [CUSTOMER]]
        call = (await sim.inbound_call(sender=CUSTOMER, to=line, outcome="missed"))["data"]
        reply = await openphone.post(
            "/v1/messages", json={"from": line, "to": ["+15555550143"], "content": "ok"}
        )
        moved = await listed(updatedAfter=before.updated_at.isoformat())  # type: ignore[union-attr]

    assert (before.last_activity_id, before.last_activity_at) == (
        first["id"],
        Message.model_validate(first).created_at,
    )
    assert other["id"] != reply.json()["data"]["id"]
    assert {c.participants[0]: c.last_activity_id for c in moved} == {
        CUSTOMER: call["call"]["id"],
        "+15555550143": reply.json()["data"]["id"],
    }
    assert all(c.last_activity_at == c.updated_at for c in moved)


async def test_requests_are_counted_per_endpoint_and_caller() -> None:
    async with running_simulator() as sim, sim.client() as openphone:
        line = (await openphone.get("/v1/phone-numbers")).json()["data"][0]["id"]
        mark = time.time()
        for _ in range(2):
            await openphone.get("/v1/conversations", params={"maxResults": 10})
        await openphone.get(
            "/v1/messages",
            params={"phoneNumberId": line, "participants": CUSTOMER, "maxResults": 10},
            headers={"User-Agent": "smsbus-reconciler/0.1"},
        )
        await openphone.get("/v1/messages/ACnope")
        every = await sim.request_counts()
        since = await sim.request_counts(since=mark)
        reconciler = await sim.request_counts(agent="smsbus-reconciler/0.1")

    assert every["GET /v1/phone-numbers"] == 1
    assert since == {
        "GET /v1/conversations": 2,
        "GET /v1/messages": 1,
        "GET /v1/messages/{id}": 1,
    }
    assert reconciler == {"GET /v1/messages": 1}
