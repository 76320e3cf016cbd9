"""Issue 12's consent at scale and revocation scope, end to end: the simulator, ingest,
compliance (its consent imports, ledger, eligibility and egress) and the engine on one clock.

- A 10,000-row consent import through compliance's API; then a marketing campaign (on a
  subset: the import is the part at scale) sends to every row with express consent, skips the
  rest `no_express_consent`, and the people who had said STOP stay opted out.
- Revocation scope `purpose`: a STOP to a marketing text refuses marketing and an appointment
  reminder (transactional) is still sent; scope `all`: both refused.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from .harness import Stack, StartStack, eventually

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

START = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # Tuesday 10:00 in New York: marketing hours
ROWS = 10_000
AGREED = "Yes, text me Acme Fences offers. Msg & data rates may apply. Reply STOP to stop."
SUBSET = 100


KINDS = ("express",) * 7 + ("implied", "none", "revoked")


def phone(i: int) -> str:
    return f"+1212{200 + i // 10_000}{i % 10_000:04d}"  # New York: one zone, no state caps


def consent_of(i: int) -> str:
    """Row i's consent: 7 in 10 express, then one each of implied, none and revoked."""
    return KINDS[i % 10]


def consent_file() -> bytes:
    out = io.StringIO()
    rows = csv.writer(out, lineterminator="\n")
    rows.writerow(["phone", "consent", "consent_source", "consent_at", "consent_text", "ref"])
    for i in range(ROWS - 3):
        consent = consent_of(i)
        given = consent != "none"
        rows.writerow([phone(i), consent, "web form /offers" if given else "",
                       "2026-02-01T12:00:00Z" if given else "",
                       AGREED if consent == "express" else "", f"crm-{i}"])  # fmt: skip
    rows.writerows([
        ["not a phone", "express", "web", "2026-02-01", "x", "bad-1"],
        [phone(ROWS), "maybe", "web", "2026-02-01", "x", "bad-2"],
        [phone(ROWS + 1), "express", "web", "2026-02-01", "", "bad-3"],
    ])  # fmt: skip
    return out.getvalue().encode()


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack(start=START, marketing_requires_express_consent=True) as running:
        yield running


async def opted_out(api: httpx.AsyncClient, number: str) -> bool:
    return bool((await api.get(f"/v1/consent/{number}")).json()["status"] == "opted_out")


async def test_a_10000_row_consent_import_then_a_marketing_campaign(stack: Stack) -> None:
    compliance = stack.compliance
    said_stop = [phone(i) for i in range(5)]  # express in the file: they must stay opted out
    for number in said_stop:
        await stack.sim.inbound_message(sender=number, to=stack.sim.lines[0], text="STOP")
    for number in said_stop:
        await eventually(lambda n=number: opted_out(compliance, n))

    answer = await compliance.post(
        "/v1/consent/imports", files={"file": ("crm.csv", io.BytesIO(consent_file()), "text/csv")}
    )
    assert answer.status_code == 202, answer.text

    async def finished() -> dict[str, Any] | None:
        job: dict[str, Any] = (await compliance.get(answer.headers["location"])).json()
        return job if job["status"] in ("succeeded", "failed") else None

    job = await eventually(finished, within=120, every=0.05)

    counts = {k: job[k] for k in ("status", "rows_read", "numbers", "granted", "revoked",
                                  "no_consent", "kept_opted_out", "refused")}  # fmt: skip
    assert counts == expected_counts()
    assert [r["ref"] for r in job["refused_rows"] if r["reason"] != "opted_out"] == [
        "bad-1", "bad-2", "bad-3",
    ]  # fmt: skip
    assert "5 already opted out and kept opted out" in job["summary"]

    # The campaign, on the first SUBSET rows: every kind of row is among them.
    audience = [phone(i) for i in range(SUBSET)]
    async with stack.engine() as api:
        body = "first_name,phone\n" + "".join(f"P{i},{p}\n" for i, p in enumerate(audience))
        imported = await api.post(
            "/v1/contacts", files={"file": ("audience.csv", io.BytesIO(body.encode()), "text/csv")}
        )
        assert imported.status_code == 201, imported.text
        campaign = await run_campaign(
            stack, api, imported.json()["contact_ids"], purpose="marketing", text="Spring offers"
        )
        stats = (await api.get(f"/v1/campaigns/{campaign}/stats")).json()

    sent = [m["to"][0] for m in await stack.sim.messages(direction="outgoing")
            if m["text"].startswith("Spring offers")]  # fmt: skip
    consented = {phone(i) for i in range(SUBSET) if consent_of(i) == "express"} - set(said_stop)
    assert sorted(sent) == sorted(consented)  # each consented row once, nobody else
    expected_skips = Counter(
        "opted_out" if consent_of(i) == "revoked" or phone(i) in said_stop
        else "no_express_consent"
        for i in range(SUBSET) if phone(i) not in consented
    )  # fmt: skip
    assert stats["skipped_by_reason"] == dict(expected_skips)
    for number in said_stop:
        body = (await compliance.get(f"/v1/consent/{number}")).json()
        assert body["status"] == "opted_out"
        assert [e["source"] for e in body["history"]] == ["sms"]  # the import appended nothing


def expected_counts() -> dict[str, Any]:
    """What the file must come to: every express row granted but the five who said STOP, every
    implied row granted, every revoked row revoked, the `none` rows counted; three bad rows
    and the five kept opted out refused."""
    kinds = Counter(consent_of(i) for i in range(ROWS - 3))
    return {
        "status": "succeeded", "rows_read": ROWS, "numbers": ROWS - 3,
        "granted": kinds["express"] - 5 + kinds["implied"], "revoked": kinds["revoked"],
        "no_consent": kinds["none"], "kept_opted_out": 5, "refused": 8,
    }  # fmt: skip


async def run_campaign(
    stack: Stack, api: httpx.AsyncClient, contact_ids: list[str], *, purpose: str, text: str
) -> str:
    """Creates, fills and starts a campaign, then waits until none of its members is left."""
    created = await api.post("/v1/campaigns", json={
        "name": text, "line": stack.sim.lines[0], "purpose": purpose, "min_gap_days": 0,
        "daily_limit": None, "variants": [{"name": "A", "template": f"{text}, {{first_name}}"}],
    })  # fmt: skip
    assert created.status_code == 201, created.text
    campaign: str = created.json()["id"]
    await api.post(f"/v1/campaigns/{campaign}/members", json={"contact_ids": contact_ids})
    assert (await api.post(f"/v1/campaigns/{campaign}/start")).status_code == 200

    async def drained() -> bool:
        left = await stack.scalar(
            "SELECT count(*) FROM members WHERE campaign_id = :c "
            "AND status IN ('pending', 'sending')",
            c=campaign,
        )
        return left == 0

    await eventually(drained, within=max(120.0, len(contact_ids) / 20))
    return campaign


@pytest.fixture(params=["purpose", "all"])
async def scoped(
    request: pytest.FixtureRequest, start_stack: StartStack
) -> AsyncIterator[tuple[str, Stack]]:
    async with start_stack(start=START, revocation_scope=request.param) as running:
        yield request.param, running


async def test_a_stop_to_a_marketing_text_under_each_revocation_scope(
    scoped: tuple[str, Stack],
) -> None:
    scope, stack = scoped
    person = phone(42)
    async with stack.engine() as api:
        body = f"first_name,phone\nAnn,{person}\n"
        imported = await api.post(
            "/v1/contacts", files={"file": ("one.csv", io.BytesIO(body.encode()), "text/csv")}
        )
        ids = imported.json()["contact_ids"]
        await run_campaign(stack, api, ids, purpose="marketing", text="Fence sale")
        await stack.sim.inbound_message(sender=person, to=stack.sim.lines[0], text="STOP")
        await eventually(lambda: opted_out(stack.compliance, person))

        again = await run_campaign(stack, api, ids, purpose="marketing", text="Last call")
        reminder = await run_campaign(
            stack, api, ids, purpose="transactional", text="Reminder: we install your fence"
        )
        skipped = {
            campaign: (await api.get(f"/v1/campaigns/{campaign}/members")).json()[0]
            for campaign in (again, reminder)
        }
    outgoing = await stack.sim.messages(direction="outgoing", to=person)
    texts = [m["text"] for m in sorted(outgoing, key=lambda m: m["createdAt"])]
    consent = (await stack.compliance.get(f"/v1/consent/{person}")).json()

    assert texts[0].startswith("Fence sale")
    assert not any(t.startswith("Last call") for t in texts)
    assert (skipped[again]["status"], skipped[again]["reason"]) == ("skipped", "opted_out")
    if scope == "purpose":
        assert "no more marketing messages" in texts[1]
        assert "STOP ALL" in texts[1]
        assert texts[-1].startswith("Reminder: we install your fence")
        assert skipped[reminder]["status"] in ("sent", "delivered")
        assert consent["purposes"]["marketing"]["status"] == "opted_out"
        assert consent["purposes"]["transactional"]["status"] != "opted_out"
        assert [(e["action"], e["scope"]) for e in consent["history"]] == [("revoked", "marketing")]
    else:
        assert "will receive no more messages" in texts[1]
        assert not any(t.startswith("Reminder") for t in texts)
        assert (skipped[reminder]["status"], skipped[reminder]["reason"]) == (
            "skipped", "opted_out",
        )  # fmt: skip
        assert consent["suppressed"] is True
        assert [(e["action"], e["scope"]) for e in consent["history"]] == [("revoked", "all")]
    assert len(texts) == (3 if scope == "purpose" else 2)
