"""LineCheck over compliance's batch validation (answered here by an httpx MockTransport):
numbers go 100 at a time and the summaries add up; a 5xx or an unreachable compliance is tried
again; a 4xx, or a compliance that stays away, stops the check with the reason."""

from __future__ import annotations

import json
from typing import Any

import httpx

from smsbus.campaigns.line_check import LineCheck

USAGE = {"enabled": True, "month": "2026-12", "used": 7, "quota": 1000, "remaining": 993}


def answer(phones: list[str]) -> dict[str, Any]:
    """compliance's summary for a batch: every number mobile except those ending in 0."""
    landlines = sum(1 for p in phones if p.endswith("0"))
    summary = {
        "total": len(phones), "invalid": 0, "valid": len(phones),
        "valid_mobile": len(phones) - landlines,
        "by_line_type": {"mobile": len(phones) - landlines, "landline": landlines},
    }  # fmt: skip
    return {"results": [], "summary": summary, "lookups": USAGE}


def checker(handler: Any) -> LineCheck:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://c")
    return LineCheck(base_url="http://c", token="t", http=http, retry_delay=0.0)


async def test_numbers_go_a_hundred_at_a_time_and_the_summaries_add_up() -> None:
    batches: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["lookup"] is True
        assert request.headers["authorization"] == "Bearer t"
        batches.append(body["phones"])
        return httpx.Response(200, json=answer(body["phones"]))

    phones = [f"+1212555{n:04d}" for n in range(250)]
    outcome = await checker(handler).check(phones)

    assert [len(batch) for batch in batches] == [100, 100, 50]
    assert [phone for batch in batches for phone in batch] == phones
    assert outcome == {
        "checked": 250, "invalid": 0, "valid_mobile": 225,
        "by_line_type": {"landline": 25, "mobile": 225}, "lookups": USAGE, "error": None,
    }  # fmt: skip


async def test_a_5xx_or_a_dropped_connection_is_tried_again() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("refused")
        if calls["n"] == 2:
            return httpx.Response(503, text="busy")
        return httpx.Response(200, json=answer(json.loads(request.content)["phones"]))

    outcome = await checker(handler).check(["+12125550101"])
    assert (calls["n"], outcome["checked"], outcome["error"]) == (3, 1, None)


async def test_a_refusal_stops_the_check_with_its_reason_and_keeps_what_was_checked() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(200, json=answer(json.loads(request.content)["phones"]))
        return httpx.Response(403, json={"detail": "the token lacks the read scope"})

    outcome = await checker(handler).check([f"+1212555{n:04d}" for n in range(150)])
    assert calls["n"] == 2  # a 4xx is an answer: not asked again
    assert outcome["checked"] == 100
    assert outcome["error"].startswith("compliance answered 403")


async def test_a_compliance_that_stays_away_stops_the_check() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    outcome = await checker(handler).check(["+12125550101"])
    assert outcome["error"] == "compliance unreachable (ConnectError)"
    assert outcome["checked"] == 0
