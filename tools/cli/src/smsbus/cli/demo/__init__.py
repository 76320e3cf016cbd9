"""`smsbus demo`: walk through what the running stack guarantees, verifying every claim.

Each step narrates one line per fact and checks it through the services' own HTTP APIs and the
OpenPhone simulator's admin API (`/sim/*`). Exit 0 when every step held, 1 naming the step that
did not, 2 when the stack is not running. Customer numbers are fresh per run (NANP fictional
555-01xx numbers whose consent compliance has never heard of), so it can run again and again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import httpx

from smsbus.cli.demo import steps
from smsbus.cli.demo.http import Demo, StackDown, StepFailed, call, fetch, say
from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.services import KNOWN_SERVICES
from smsbus.cli.stack.tokens import caller_token

STEPS = (
    "1. The canary: a real SMS goes round the whole pipeline",
    "2. A customer texts STOP: opted out, and told so",
    "3. A webhook is lost: the reconciler finds the STOP anyway",
    "4. A campaign: opted-out customers are never texted, the others are, through the egress",
)


async def walk(demo: Demo) -> None:
    workspace = await fetch(demo.sim, "GET", "/sim/workspace")
    demo.line = workspace["data"]["phoneNumbers"][-1]["number"]
    opted_out: list[str] = []  # steps 2 and 3 opt customers out; step 4 must skip them

    async def texted_stop() -> None:
        opted_out.append(await steps.stop(demo))

    async def lost_stop() -> None:
        opted_out.append(await steps.lost_webhook(demo))

    plan: list[Callable[[], Awaitable[None]]] = [
        lambda: steps.canary(demo),
        texted_stop,
        lost_stop,
        lambda: steps.campaign(demo, opted_out),
    ]
    for title, step in zip(STEPS, plan, strict=True):
        print(f"\n{title}", flush=True)
        started = time.monotonic()
        try:
            await step()
        except (StepFailed, StackDown) as exc:
            raise StepFailed(f"step {title}\n   {exc}") from None
        say(f"held ({time.monotonic() - started:.1f} s)")


@asynccontextmanager
async def connected(config: StackConfig) -> AsyncIterator[Demo]:
    """One client per service, on the ports the stack uses (its environment and .env)."""
    ports = {s.name: config.port(s.port_variable, s.default_port) for s in KNOWN_SERVICES}
    token = caller_token(config.env, config.state_dir)
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with AsyncExitStack() as stack:

        def client(name: str) -> httpx.AsyncClient:
            made = httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{ports[name]}", timeout=90, headers=headers
            )
            stack.push_async_callback(made.aclose)
            return made

        yield Demo(
            sim=client("openphone-sim"),
            ingest=client("ingest-webhooks"),
            compliance=client("compliance"),
            campaigns=client("campaign-engine"),
            reconciler=client("reconciler"),
            health=client("health-monitor"),
        )


async def ready(demo: Demo) -> None:
    services = (demo.ingest, demo.compliance, demo.campaigns, demo.reconciler, demo.health)
    for client, path in [(demo.sim, "/sim/clock"), *((c, "/readyz") for c in services)]:
        answer = await call(client, "GET", path, ok=tuple(range(100, 600)))
        if answer.status_code != 200:
            raise StackDown(f"{client.base_url}{path} answered {answer.status_code}")


async def main(config: StackConfig) -> int:
    async with connected(config) as demo:
        try:
            await ready(demo)
        except StackDown as exc:
            print(f"the stack is not running: {exc}. Start it with `make up`.")
            return 2
        print("smsbus demo: what the running stack guarantees, each claim checked")
        try:
            await walk(demo)
        except StepFailed as exc:
            print(f"\nFAILED {exc}")
            return 1
    print("\nevery step held")
    return 0


def run(config: StackConfig) -> int:
    return asyncio.run(main(config))
