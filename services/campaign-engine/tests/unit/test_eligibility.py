"""compliance's eligibility answers, translated into the engine's reasons and cached."""

import json

import httpx

from smsbus.campaigns.eligibility import EligibilityClient

ANSWERS = {"+12125550143": ["suppressed", "internal_dnc"], "+13125550144": []}


def compliance(requests: list[dict]) -> httpx.AsyncClient:  # type: ignore[type-arg]
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        requests.append(body)
        results = [{"input": p, "reasons": ANSWERS[p]} for p in body["phones"]]
        return httpx.Response(200, json={"results": results})

    return httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="http://compliance")


async def test_an_opt_out_is_opted_out_whichever_side_saw_it_first_and_answers_are_cached() -> None:
    requests: list[dict] = []  # type: ignore[type-arg]
    client = EligibilityClient(
        base_url="http://compliance", ttl=60, http=compliance(requests), monotonic=lambda: 0.0
    )
    phones = list(ANSWERS)
    assert await client.reasons(phones, "marketing") == {
        "+12125550143": ["opted_out", "internal_dnc"],
        "+13125550144": [],
    }
    assert await client.reasons(phones, "marketing") == {
        "+12125550143": ["opted_out", "internal_dnc"],
        "+13125550144": [],
    }
    assert len(requests) == 1
