"""The issue's "Must show" scenarios with the simulator, ingest, compliance (and its egress, the
only sender) and the engine, one controllable clock for all of them (simulated days pass by
jumping the clock, not by waiting)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import phonenumbers
import pytest

from smsbus.campaigns.domain.windows import SendWindow, is_open, locality

from .harness import Stack, StartStack, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

START = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)  # Tuesday 08:00 EST: the window opens at 09:00
OFFICE = SendWindow(frozenset({0, 1, 2, 3, 4}), time(9), time(18))
AREAS = ["212", "312", "617", "305", "850", "405", "410", "208"]  # FL, OK, MD; 208 splits zones


def numbers(count: int) -> list[str]:
    found: list[str] = []
    i = 0
    while len(found) < count:
        area = AREAS[i % len(AREAS)]
        candidate = f"+1{area}{234 + (i // len(AREAS)) % 700}{(i * 37) % 10000:04d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)) and candidate not in found:
            found.append(candidate)
        i += 1
    return found


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack(start=START) as running:
        yield running


async def import_csv(api: httpx.AsyncClient, rows: list[str]) -> dict:  # type: ignore[type-arg]
    body = "first_name,phone,company,state\n" + "\n".join(rows) + "\n"
    response = await api.post(
        "/v1/contacts", files={"file": ("audience.csv", io.BytesIO(body.encode()), "text/csv")}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def run_days(stack: Stack, campaign_id: str, *, max_steps: int = 60) -> None:
    """Lets the engine and the egress drain what is due, then jumps the clock to the next due
    member (or the next request the egress holds)."""
    for _ in range(max_steps):
        await eventually(lambda: _idle(stack))
        left = await stack.scalar(
            "SELECT count(*) FROM members WHERE campaign_id = :c AND status IN ('pending', 'sending')",
            c=campaign_id,
        )
        if left == 0:
            return
        due = await stack.scalar(
            "SELECT min(next_attempt_at) FROM members WHERE campaign_id = :c AND status = 'pending'",
            c=campaign_id,
        )
        _, held_until = await stack.held()
        due = min((t for t in (due, held_until) if t is not None), default=None)
        if due is not None and due > stack.clock.now():
            await stack.advance((due - stack.clock.now()).total_seconds() + 1)
    raise AssertionError("campaign did not finish")


async def _idle(stack: Stack) -> bool:
    """Nothing due at the engine, and every request in flight held by the egress until later
    (only the clock moves those)."""
    due = await stack.scalar(
        "SELECT count(*) FROM members WHERE status = 'pending' AND next_attempt_at <= :now",
        now=stack.clock.now(),
    )
    if due:
        return False
    sending = await stack.scalar("SELECT count(*) FROM members WHERE status = 'sending'")
    held, _ = await stack.held()
    return bool(sending == held)


async def test_thousand_member_ab_campaign_over_simulated_days(stack: Stack) -> None:
    phones = numbers(985)
    opted_out, dnc, toll_free = (
        phones[:10],
        phones[10:20],
        ["+18005550100", "+18885550101", "+18775550102"],
    )
    rows = [
        f"P{i},{p},{'Acme' if i % 2 else ''},{'FL' if i % 50 == 0 else ''}"
        for i, p in enumerate(phones)
    ]
    rows += [f"T{i},{p},," for i, p in enumerate(toll_free)]
    rows += ["Bad1,12345,,", "Bad2,not-a-number,,", f"Dup,{phones[100]},,"]  # invalid x2, duplicate
    for phone in opted_out:
        assert (
            await stack.compliance.post(
                "/v1/consent",
                json={"phone": phone, "source": "api", "actor": "test", "action": "revoked"},
            )
        ).status_code == 201
    for phone in dnc:
        assert (
            await stack.compliance.put(
                f"/v1/dnc/internal/{phone}", json={"reason": "asked", "actor": "test"}
            )
        ).status_code in (200, 201)

    async with stack.engine() as api:
        imported = await import_csv(api, rows)
        assert imported["imported"] == 988
        assert next((e["line"], e["reason"]) for e in imported["invalid"])[0] == 990
        assert len(imported["invalid"]) == 2
        assert len(imported["duplicates"]) == 1
        created = await api.post("/v1/campaigns", json={
            "name": "spring", "line": stack.sim.lines[0], "daily_limit": 300,
            "variants": [{"name": "A", "template": "Hi {first_name|there}! {if company}Fences for {company}.{else}New fences.{endif} Reply STOP to opt out"},
                         {"name": "B", "template": "Hello {first_name|friend}, spring fence deals. Reply STOP to opt out"}],
        })  # fmt: skip
        assert created.status_code == 201, created.text
        campaign = created.json()["id"]
        listing = (
            await api.post(
                "/v1/lists", json={"name": "all", "contact_ids": imported["contact_ids"]}
            )
        ).json()
        added = (
            await api.post(f"/v1/campaigns/{campaign}/members", json={"list_id": listing["id"]})
        ).json()
        assert added == {"added": 988, "duplicates": 0, "missing": []}
        assert (await api.post(f"/v1/campaigns/{campaign}/start")).status_code == 200
        await eventually(lambda: _consent_synced(stack, len(opted_out)))
        await run_days(stack, campaign)
        await stack.sim.settle()

        sent = [
            m
            for m in await stack.sim.messages(direction="outgoing")
            if "STOP to opt out" in m["text"]
        ]
        per_number = Counter(m["to"][0] for m in sent)
        assert max(per_number.values()) == 1, "somebody got two messages"
        eligible = set(phones) - set(opted_out) - set(dnc)
        assert set(per_number) == eligible
        for message in sent:
            at = datetime.fromisoformat(message["createdAt"].replace("Z", "+00:00"))
            assert is_open(at, locality(message["to"][0]), OFFICE), message
        days = Counter(
            datetime.fromisoformat(m["createdAt"].replace("Z", "+00:00"))
            .astimezone(ZoneInfo("America/New_York"))
            .date()
            for m in sent
        )
        assert max(days.values()) <= 300
        assert len(days) >= 4

        async def stats_match() -> bool:
            body = (await api.get(f"/v1/campaigns/{campaign}/stats")).json()
            return body["total"]["sent"] == len(sent) and body["total"]["delivered"] == len(sent)

        await eventually(stats_match, within=120)
        body = (await api.get(f"/v1/campaigns/{campaign}/stats")).json()
        assert body["skipped_by_reason"] == {"internal_dnc": 10, "opted_out": 10, "toll_free": 3}
        assert sum(v["sent"] for v in body["variants"].values()) == len(sent)
        ab = (await api.get(f"/v1/campaigns/{campaign}/ab")).json()
        assert ab["correction"] == "yates"
        assert ab["status"] in (
            "no_difference",
            "insufficient_data",
        )


async def _consent_synced(stack: Stack, expected: int) -> bool:
    return (
        await stack.scalar("SELECT count(*) FROM consent_suppressions WHERE suppressed") >= expected
    )


async def test_stop_mid_campaign_stops_every_campaign(stack: Stack) -> None:
    phones = numbers(6)
    person = phones[0]
    async with stack.engine(dispatch_batch=1) as api:
        imported = await import_csv(api, [f"N{i},{p},," for i, p in enumerate(phones)])
        ids = []
        for name in ("first", "second"):
            created = (await api.post("/v1/campaigns", json={"name": name, "line": stack.sim.lines[0], "min_gap_days": 0,
                                                               "variants": [{"name": "A", "template": f"{name}: hi {{first_name}}"}]})).json()  # fmt: skip
            await api.post(
                f"/v1/campaigns/{created['id']}/members",
                json={"contact_ids": imported["contact_ids"]},
            )
            ids.append(created["id"])
        await stack.set_time(START + timedelta(hours=2))  # 10:00 EST
        await api.post(f"/v1/campaigns/{ids[0]}/start")
        await eventually(lambda: _sent_to(stack, person))
        await stack.sim.inbound_message(sender=person, to=stack.sim.lines[0], text="STOP")
        await eventually(lambda: _suppressed(stack, person))
        await api.post(f"/v1/campaigns/{ids[1]}/start")
        await run_days(stack, ids[0])
        await run_days(stack, ids[1])
        to_person = [
            m
            for m in await stack.sim.messages(direction="outgoing", to=person)
            if ": hi " in m["text"]
        ]
        assert len(to_person) == 1
        members = (
            await api.get(f"/v1/campaigns/{ids[1]}/members", params={"status": "skipped"})
        ).json()
        assert [(m["phone"], m["reason"]) for m in members] == [(person, "opted_out")]


async def _sent_to(stack: Stack, phone: str) -> bool:
    return bool(
        await stack.scalar(
            "SELECT count(*) FROM members WHERE phone = :p AND sent_at IS NOT NULL", p=phone
        )
    )


async def _suppressed(stack: Stack, phone: str) -> bool:
    return bool(
        await stack.scalar(
            "SELECT count(*) FROM consent_suppressions WHERE phone = :p AND suppressed", p=phone
        )
    )


@pytest.fixture
async def capped(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack(start=START, line_daily_cap=3) as running:
        yield running


async def test_the_lines_daily_cap_moves_the_rest_to_the_next_day_and_the_campaign_runs_on(
    capped: Stack,
) -> None:
    phones = numbers(5)
    async with capped.engine() as api:
        imported = await import_csv(api, [f"N{i},{p},," for i, p in enumerate(phones)])
        created = (await api.post("/v1/campaigns", json={"name": "capped", "line": capped.sim.lines[0], "daily_limit": None,
                                                           "variants": [{"name": "A", "template": "Hi {first_name}, capped deals"}]})).json()  # fmt: skip
        await api.post(
            f"/v1/campaigns/{created['id']}/members", json={"contact_ids": imported["contact_ids"]}
        )
        await api.post(f"/v1/campaigns/{created['id']}/start")
        await run_days(capped, created["id"])

        async def completed() -> dict[str, Any] | None:
            body: dict[str, Any] = (await api.get(f"/v1/campaigns/{created['id']}")).json()
            return body if body["status"] == "completed" else None

        body = await eventually(completed)
        metrics = (await api.get("/metrics")).text
    sent = [
        m for m in await capped.sim.messages(direction="outgoing") if "capped deals" in m["text"]
    ]
    assert sorted(m["to"][0] for m in sent) == sorted(phones)  # each once
    per_day = Counter(
        datetime.fromisoformat(m["createdAt"].replace("Z", "+00:00")).date() for m in sent
    )
    assert sorted(per_day.values()) == [2, 3]  # 3 on the first UTC day, the rest the next
    assert (body["status"], body["pause_reason"]) == ("completed", None)
    assert "campaign_pauses_total{" not in metrics  # never paused: only the line's day was spent
    assert 'members_dispatched_total{outcome="capped"} 2.0' in metrics
