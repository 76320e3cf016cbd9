"""The admin API under /sim/: what tests and operators use to drive and inspect the simulator.

No API key: it is not part of OpenPhone and the simulator only listens on loopback by default.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import APIRouter, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from smsbus.openphone.signing import SigningKey
from smsbus.openphone_sim.api.common import SimDep, timestamp, within
from smsbus.openphone_sim.calling import InboundCall, receive_call
from smsbus.openphone_sim.clock import iso
from smsbus.openphone_sim.faults import Faults
from smsbus.openphone_sim.lifecycle import CallOutcome
from smsbus.openphone_sim.messaging import receive_message
from smsbus.openphone_sim.payloads import GENERATIONS
from smsbus.openphone_sim.payloads.wire import wire
from smsbus.openphone_sim.registration import register_webhook
from smsbus.openphone_sim.settings import Generation
from smsbus.openphone_sim.simulator import Simulator
from smsbus.openphone_sim.workspace import RegisteredWebhook


class AdminBody(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class InboundMessageBody(AdminBody):
    sender: str = Field(alias="from")
    to: str
    """One of our lines: E.164 or `PN…`."""
    text: str = Field(min_length=1)


class InboundCallBody(AdminBody):
    sender: str = Field(alias="from")
    to: str
    outcome: CallOutcome = "answered"
    recording: bool = False
    summary: bool | list[str] = False
    """True: a sample summary; a list: these lines. Answered calls only."""
    next_steps: list[str] = Field(default=[], alias="nextSteps")
    transcript: bool | list[str] = False
    """True: a sample dialogue; a list: these lines, caller first."""
    duration: int = Field(default=60, ge=1)


class ClockBody(AdminBody):
    set: AwareDatetime | None = None
    """Relabel the time: pending work keeps its remaining wait."""
    advance: float | None = Field(default=None, ge=0)
    """Let this many seconds pass: work that falls due runs."""
    frozen: bool | None = None


class ResetBody(AdminBody):
    seed: int | None = None
    """Activity ids and fault decisions as a fresh simulator with this seed; None: a new seed."""


class SettleBody(AdminBody):
    timeout: float = Field(default=30.0, gt=0)


class AppWebhookBody(AdminBody):
    url: str
    generation: Generation = "v4"
    events: list[str] | None = None
    """None: every event of the generation."""
    key: str | None = None
    """None: a fresh key (whsec_… for 2026-03-30)."""

    @field_validator("key")
    @classmethod
    def _a_signing_key(cls, key: str | None) -> str | None:
        if key is not None:
            SigningKey.parse(key)
        return key

    label: str | None = None
    resource_ids: list[str] = Field(default=["*"], alias="resourceIds")


def endpoint(path: str) -> str:
    """`/v1/messages/AC123` → `/v1/messages/{id}`: an id is the segment after a collection."""
    parts = path.rstrip("/").split("/")
    return "/".join(parts[:3] + ["{id}"] * (len(parts) > 3) + parts[4:])


def _as_list(value: bool | list[str]) -> list[str] | None:
    if value is False:
        return None
    return [] if value is True else value


def _clock_answer(sim: Simulator) -> dict[str, Any]:
    return {"data": {"now": iso(sim.now()), "frozen": sim.clock.frozen}}


def webhook_answer(registered: RegisteredWebhook) -> dict[str, Any]:
    return {**wire(registered.webhook), "generation": registered.generation}


def router() -> APIRouter:
    admin = APIRouter(prefix="/sim", tags=["simulator"])

    @admin.post("/messages/inbound", status_code=201)
    async def inbound_message(body: InboundMessageBody, sim: SimDep) -> dict[str, Any]:
        return {"data": wire(receive_message(sim, sender=body.sender, to=body.to, text=body.text))}

    @admin.post("/calls/inbound", status_code=201)
    async def inbound_call(body: InboundCallBody, sim: SimDep) -> dict[str, Any]:
        request = InboundCall(
            sender=body.sender,
            to=body.to,
            outcome=body.outcome,
            recording=body.recording,
            summary=_as_list(body.summary),
            next_steps=body.next_steps,
            transcript=_as_list(body.transcript),
            duration=body.duration,
        )
        answer = receive_call(sim, request)
        return {
            "data": {
                key: value if key == "events" else wire(value) for key, value in answer.items()
            }
        }

    @admin.get("/messages")
    async def all_messages(request: Request, sim: SimDep) -> dict[str, Any]:
        query = request.query_params
        since = timestamp(request, "since")
        messages = sorted(
            sim.workspace.messages.values(),
            key=lambda m: sim.workspace.position(m.id, m.created_at),
        )
        chosen = [
            wire(message)
            for message in messages
            if query.get("direction") in (None, message.direction)
            and query.get("from") in (None, message.from_)
            and ("to" not in query or query["to"] in message.to)
            and (since is None or within(message.created_at, after=since, before=None))
        ]
        return {"data": chosen}

    @admin.get("/requests")
    async def requests(sim: SimDep) -> dict[str, Any]:
        return {"data": list(sim.workspace.requests)}

    @admin.get("/requests/counts")
    async def request_counts(
        sim: SimDep, since: float | None = None, agent: str | None = None
    ) -> dict[str, Any]:
        """REST requests per endpoint (`"GET /v1/conversations": 3`), those that arrived at or
        after `since` (epoch seconds, real time) from `agent` (a User-Agent) when given. Paths
        with an id count under their template (`/v1/messages/{id}`)."""
        counts: Counter[str] = Counter(
            f"{entry['method']} {endpoint(entry['path'])}"
            for entry in sim.workspace.requests
            if (since is None or entry["wall"] >= since)
            and (agent is None or entry["agent"] == agent)
        )
        return {"data": dict(sorted(counts.items()))}

    @admin.get("/deliveries")
    async def deliveries(request: Request, sim: SimDep) -> dict[str, Any]:
        wanted = {
            key: value
            for key, value in request.query_params.items()
            if key in ("eventId", "type", "outcome", "webhookId")
        }
        chosen = [
            entry
            for entry in sim.workspace.deliveries
            if all(str(entry[key]) == value for key, value in wanted.items())
        ]
        return {"data": chosen}

    @admin.get("/faults")
    async def get_faults(sim: SimDep) -> dict[str, Any]:
        return {"data": sim.faults.model_dump(mode="json")}

    @admin.post("/faults")
    async def set_faults(faults: Faults, sim: SimDep) -> dict[str, Any]:
        return {"data": sim.set_faults(faults).model_dump(mode="json")}

    @admin.get("/clock")
    async def get_clock(sim: SimDep) -> dict[str, Any]:
        return _clock_answer(sim)

    @admin.post("/clock")
    async def set_clock(body: ClockBody, sim: SimDep) -> dict[str, Any]:
        if body.set is not None:
            before = sim.now()
            sim.clock.set(body.set)
            sim.scheduler.shift(sim.now() - before)
        if body.frozen is not None:
            sim.clock.freeze(body.frozen)
        if body.advance:
            sim.clock.advance(body.advance)
        sim.scheduler.clock_changed()
        return _clock_answer(sim)

    @admin.post("/settle")
    async def settle(sim: SimDep, body: SettleBody | None = None) -> dict[str, Any]:
        settled = await sim.scheduler.settle((body or SettleBody()).timeout)
        return {"settled": settled, "pending": sim.scheduler.pending}

    @admin.post("/reset")
    async def reset(sim: SimDep, body: ResetBody | None = None) -> dict[str, Any]:
        sim.reset((body or ResetBody()).seed)
        return _clock_answer(sim)

    @admin.post("/webhooks", status_code=201)
    async def app_webhook(body: AppWebhookBody, sim: SimDep) -> dict[str, Any]:
        """A webhook as the OpenPhone app creates it: any generation, every event by default."""
        events = body.events
        if events is None:
            events = list(GENERATIONS[body.generation].events)
        registered = register_webhook(
            sim,
            url=body.url,
            events=events,
            generation=body.generation,
            key=body.key,
            label=body.label,
            resource_ids=body.resource_ids,
            user_id=None,
        )
        return {"data": webhook_answer(registered)}

    @admin.get("/workspace")
    async def workspace(sim: SimDep) -> dict[str, Any]:
        ws = sim.workspace
        return {
            "data": {
                "users": [wire(user) for user in ws.users],
                "phoneNumbers": [wire(line) for line in ws.lines],
                "webhooks": [webhook_answer(webhook) for webhook in ws.webhooks.values()],
                "settings": {"speed": sim.settings.speed, "seed": sim.settings.seed},
            }
        }

    return admin
