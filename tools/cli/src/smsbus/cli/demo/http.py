"""The demo's view of the running stack: one HTTP client per service, calls that fail a step
with what answered, bounded polling, and the lookups the steps share."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx

T = TypeVar("T")
Json = dict[str, Any]

# Area codes across the US/Canadian time zones (none with a stricter state window than the
# federal one), so some recipient is in daytime at most hours of the day.
AREA_CODES = ("808", "907", "415", "303", "312", "212", "902")
BACKDATE = timedelta(minutes=15)  # older than the reconciler's grace period (600 s locally)


class StepFailed(Exception):
    """A step whose outcome did not hold."""


class StackDown(Exception):
    """A service did not answer: the stack is not running."""


@dataclass
class Demo:
    sim: httpx.AsyncClient
    ingest: httpx.AsyncClient
    compliance: httpx.AsyncClient
    campaigns: httpx.AsyncClient
    reconciler: httpx.AsyncClient
    health: httpx.AsyncClient
    line: str = ""
    """The line our customers text (the simulator's last line; the canary uses the first)."""


def say(text: str) -> None:
    print(f"   {text}", flush=True)


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    ok: tuple[int, ...] = (200, 201, 202),
    **kwargs: Any,
) -> httpx.Response:
    try:
        answer = await client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        raise StackDown(f"{client.base_url} did not answer ({type(exc).__name__})") from exc
    if answer.status_code not in ok:
        where = f"{method} {client.base_url}{path}"
        raise StepFailed(f"{where} answered {answer.status_code}: {answer.text[:300]}")
    return answer


async def fetch(client: httpx.AsyncClient, method: str, path: str, **kwargs: Any) -> Any:
    return (await call(client, method, path, **kwargs)).json()


async def poll(check: Callable[[], Awaitable[T | None]], *, seconds: float, what: str) -> T:
    """`check()` until it answers something, at most `seconds`; else the step fails."""
    deadline = time.monotonic() + seconds
    while (found := await check()) is None:
        if time.monotonic() > deadline:
            raise StepFailed(f"{what}: not within {seconds:.0f} s")
        await asyncio.sleep(0.5)
    return found


async def opted_out(demo: Demo, phone: str) -> Json | None:
    found: Json = await fetch(demo.compliance, "GET", f"/v1/consent/{phone}")
    return found if found["status"] == "opted_out" else None


async def fresh_number(demo: Demo, area_code: str | None = None) -> str:
    """A fictional number (NPA-555-01XX) compliance has no record of."""
    for _ in range(50):
        phone = f"+1{area_code or random.choice(AREA_CODES)}55501{random.randint(0, 99):02d}"
        if (await fetch(demo.compliance, "GET", f"/v1/consent/{phone}"))["status"] == "unknown":
            return phone
    raise StepFailed("no fresh customer number left among 555-01XX numbers")


async def daytime_area_code(demo: Demo) -> tuple[str, str]:
    """The area code whose time zones (compliance's answer) are nearest mid-afternoon now."""
    hours: dict[str, float] = {}
    for code in AREA_CODES:
        found = await fetch(demo.compliance, "GET", f"/v1/phones/+1{code}5550100/validation")
        local = [datetime.now(ZoneInfo(zone)) for zone in found["time_zones"]]
        hours[code] = max((t.hour + t.minute / 60 for t in local), key=lambda h: abs(h - 14.5))
    best = min(hours, key=lambda code: abs(hours[code] - 14.5))
    return best, f"{int(hours[best]):02d}:{round(hours[best] % 1 * 60):02d}"


async def sim_now(demo: Demo) -> datetime:
    return datetime.fromisoformat((await fetch(demo.sim, "GET", "/sim/clock"))["data"]["now"])


async def set_sim_clock(demo: Demo, moment: datetime) -> None:
    await call(demo.sim, "POST", "/sim/clock", json={"set": moment.isoformat()})


async def inbound(demo: Demo, phone: str, text: str) -> Json:
    body = {"from": phone, "to": demo.line, "text": text}
    message: Json = (await fetch(demo.sim, "POST", "/sim/messages/inbound", json=body))["data"]
    return message


async def outgoing_to(demo: Demo, phone: str, since: datetime) -> Json | None:
    query = {"direction": "outgoing", "to": phone, "since": since.isoformat()}
    sent: list[Json] = (await fetch(demo.sim, "GET", "/sim/messages", params=query))["data"]
    return sent[-1] if sent else None


async def dropped_webhooks(demo: Demo) -> int:
    query = {"type": "message.received", "outcome": "dropped"}
    return len((await fetch(demo.sim, "GET", "/sim/deliveries", params=query))["data"])


async def fast_pass_recoveries(demo: Demo) -> float:
    """Facts the reconciler's fast pass has emitted since it started (its /metrics)."""
    sample = 'smsbus_reconciler_recovery_delay_seconds_count{pass="fast"} '
    metrics = (await call(demo.reconciler, "GET", "/metrics")).text
    return next((float(line[len(sample) :]) for line in metrics.splitlines()
                 if line.startswith(sample)), 0.0)  # fmt: skip
