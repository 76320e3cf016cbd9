"""The demo's steps: each narrates what happens and fails (StepFailed) when a claim does not
hold."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from smsbus.cli.demo.http import (
    BACKDATE,
    Demo,
    Json,
    StepFailed,
    call,
    daytime_area_code,
    dropped_webhooks,
    fast_pass_recoveries,
    fetch,
    fresh_number,
    inbound,
    opted_out,
    outgoing_to,
    poll,
    say,
    set_sim_clock,
    sim_now,
)


async def canary(demo: Demo) -> None:
    async def started() -> Json | None:  # 409 while a (scheduled) check is pending
        answer = await call(demo.health, "POST", "/checks", ok=(202, 409))
        return answer.json() if answer.status_code == 202 else None

    check = await poll(started, seconds=150, what="starting a canary (one was pending)")
    say(f"canary {check['id'][:8]} requested from the egress; waiting for its delivery webhook")

    async def decided() -> Json | None:
        found: Json = await fetch(demo.health, "GET", f"/checks/{check['id']}")
        return found if found["state"] in ("passed", "failed") else None

    result = await poll(decided, seconds=150, what="the canary's decision")
    if result["state"] != "passed":
        raise StepFailed(f"the canary failed at stage {result['stage']}: {result['reason']}")
    trip = result["round_trip_seconds"]
    say(f"passed: round trip {trip:.2f} s (egress → OpenPhone → ingest → Kafka → health-monitor)")


async def stop(demo: Demo) -> str:
    phone = await fresh_number(demo)
    since = await sim_now(demo)
    await inbound(demo, phone, "STOP")
    say(f"customer {phone} texts STOP to {demo.line}")
    found = await poll(lambda: opted_out(demo, phone), seconds=30, what="the opt-out")
    say(f"compliance: {phone} is opted_out (suppressed={found['suppressed']})")
    what = "the opt-out confirmation SMS"
    reply = await poll(lambda: outgoing_to(demo, phone, since), seconds=30, what=what)
    say(f"confirmation sent from {reply['from']}: {reply['text']!r}")
    return phone


async def lost_webhook(demo: Demo) -> str:
    phone, text = await fresh_number(demo), "please stop texting me"
    verdict = await fetch(demo.compliance, "POST", "/v1/classify", json={"text": text})
    faults: Json = (await fetch(demo.sim, "GET", "/sim/faults"))["data"]
    dropped_before = await dropped_webhooks(demo)
    fast_before = await fast_pass_recoveries(demo)
    offset = await sim_now(demo) - datetime.now(UTC)  # the simulator's clock gets it back
    dropped_at = datetime.now(UTC)
    await set_sim_clock(demo, datetime.now(UTC) + offset - BACKDATE)
    try:
        await call(demo.sim, "POST", "/sim/faults", json={**faults, "drop_rate": 1.0})
        message = await inbound(demo, phone, text)
        say(
            f"webhooks dropped (drop_rate=1.0); {phone} texts {text!r} (compliance reads it "
            f"as {verdict['intent']}), clock set back: sent at {message['createdAt']}"
        )

        async def dropped() -> bool | None:
            return True if await dropped_webhooks(demo) > dropped_before else None

        await poll(dropped, seconds=30, what="the simulator dropping the webhook")
    finally:
        await call(demo.sim, "POST", "/sim/faults", json=faults)
        await set_sim_clock(demo, datetime.now(UTC) + offset)
    await asyncio.sleep(2)
    if await opted_out(demo, phone):
        raise StepFailed(f"{phone} is opted out although its webhook was dropped")
    say("the webhook never came: compliance has not opted them out; fault and clock restored")
    run = await reconcile(demo)
    if run["missing"].get("message.received", 0) < 1:  # a scheduled run may have been first
        run = await scheduled_run_that_found_it(demo, since=dropped_at) or run
    if run["status"] == "succeeded" and run["missing"].get("message.received", 0) >= 1:
        say(f"reconciler run {run['id'][:8]}: {run['messages_checked']} messages checked, "
            f"missing {run['missing']}: synthetic events emitted")  # fmt: skip
    elif await fast_pass_recoveries(demo) > fast_before:  # its minutely look came first
        say("the reconciler's fast pass found it first and emitted the synthetic event")
    else:
        raise StepFailed(f"the reconciler's run did not find the lost message: {run}")
    found = await poll(lambda: opted_out(demo, phone), seconds=30, what="the late opt-out")
    say(f"compliance: {phone} is opted_out (suppressed={found['suppressed']})")
    return phone


async def reconcile(demo: Demo) -> Json:
    """One finished run; a run already holding the lock, or a lagging consumer, is waited out."""

    async def run() -> Json | None:
        answer = await call(demo.reconciler, "POST", "/runs?wait=true", ok=(200, 409))
        found: Json | None = answer.json() if answer.status_code == 200 else None
        return None if found is None or found["status"] == "deferred" else found

    return await poll(run, seconds=120, what="a reconciler run that is not deferred")


async def scheduled_run_that_found_it(demo: Demo, *, since: datetime) -> Json | None:
    """A run that ended after the webhook was dropped and emitted a received message: right
    after `make up` the scheduled first run (30 s after start) can beat the demo's own."""
    runs: list[Json] = (await fetch(demo.reconciler, "GET", "/runs"))["data"]
    return next(
        (
            run
            for run in runs
            if run["status"] == "succeeded"
            and run["finished_at"] is not None
            and datetime.fromisoformat(run["finished_at"]) >= since
            and run["missing"].get("message.received", 0) >= 1
        ),
        None,
    )


async def start_campaign(demo: Demo, phones: list[str]) -> str:
    rows = "".join(f"{phone},Customer {i}\n" for i, phone in enumerate(phones, 1))
    files = {"file": ("demo.csv", f"phone,first_name\n{rows}".encode(), "text/csv")}
    contacts = (await fetch(demo.campaigns, "POST", "/v1/contacts", files=files))["contact_ids"]
    spec = {
        "name": f"smsbus demo {datetime.now(UTC).isoformat(timespec='seconds')}",
        "line": demo.line,
        "purpose": "marketing",
        "variants": [{"name": "A", "template": "Hi {first_name|there}, 20% off this week. "
                      "Reply STOP to opt out."}],
        "window": {"days": list(range(7)), "start": "00:00", "end": "23:59"},
        "min_gap_days": None,
    }  # fmt: skip
    cid: str = (await fetch(demo.campaigns, "POST", "/v1/campaigns", json=spec))["id"]
    members = {"contact_ids": contacts}
    await call(demo.campaigns, "POST", f"/v1/campaigns/{cid}/members", json=members)
    await call(demo.campaigns, "POST", f"/v1/campaigns/{cid}/start")
    say(f"campaign {cid[:8]} (marketing; every day; no window of its own beyond the law's) "
        f"started to {len(contacts)} contacts")  # fmt: skip
    return cid


async def campaign(demo: Demo, opted_out_phones: list[str]) -> None:
    code, local_time = await daytime_area_code(demo)
    new = [await fresh_number(demo, code) for _ in range(2)]
    for phone in new:
        body = {"phone": phone, "source": "web", "actor": "smsbus demo", "action": "granted"}
        await call(demo.compliance, "POST", "/v1/consent", json=body)
    say(f"new customers {', '.join(new)} (local time {local_time}) gave express consent")
    cid = await start_campaign(demo, [*opted_out_phones, *new])

    async def settled() -> list[Json] | None:  # every member decided: done, or held with a reason
        members: list[Json] = await fetch(demo.campaigns, "GET", f"/v1/campaigns/{cid}/members")
        busy = [m for m in members if m["status"] in ("sending", "sent")]
        busy += [m for m in members if m["status"] == "pending" and not m["reason"]]
        return members if len(members) == 4 and not busy else None

    members = {m["phone"]: m for m in await poll(settled, seconds=60, what="the sends")}
    for phone in opted_out_phones:
        m = members[phone]
        if (m["status"], m["reason"]) != ("skipped", "opted_out"):
            raise StepFailed(f"{phone} opted out but its member is {m['status']} ({m['reason']})")
        if [
            t
            for t in await audit(demo, phone)
            if t["purpose"] == "marketing" and t["status"] == "sent"
        ]:
            raise StepFailed(f"the egress sent {phone} a marketing text after they opted out")
        say(f"{phone}: skipped, reason opted_out (never texted; the egress sent them nothing)")
    for phone in new:
        m = members[phone]
        if (m["status"], m["reason"]) == ("pending", "outside_window"):
            say(f"{phone}: held for quiet hours (outside_window): it is not daytime in any "
                "of the demo's zones; run again in daytime to see it delivered")  # fmt: skip
        elif m["status"] == "delivered":
            say(f"{phone}: sent {m['sent_at'][11:19]}, delivered {m['delivered_at'][11:19]} "
                f"(message {m['message_id']})")  # fmt: skip
            await audited(demo, phone, m["message_id"])
        else:
            raise StepFailed(f"{phone} should be delivered but is {m['status']} ({m['reason']})")


async def audit(demo: Demo, phone: str) -> list[Json]:
    """The egress's record of every text asked for this number (compliance's GET /v1/outbound)."""
    found: Json = await fetch(demo.compliance, "GET", "/v1/outbound", params={"phone": phone})
    texts: list[Json] = found["texts"]
    return texts


async def audited(demo: Demo, phone: str, message_id: str) -> None:
    """The campaign text left through the egress, once, on the consent the gate checked."""
    sent = [t for t in await audit(demo, phone) if t["message_id"] == message_id]
    if len(sent) != 1 or (sent[0]["purpose"], sent[0]["requester"]) != (
        "marketing",
        "campaign-engine",
    ):
        raise StepFailed(f"the egress has no single record of {message_id} to {phone}: {sent}")
    text = sent[0]
    say(f"{phone}: the egress's audit: {text['purpose']} from {text['requester']}, sent on "
        f"consent {text['consent']!r} checked at {text['checked_at'][11:19]}")  # fmt: skip
