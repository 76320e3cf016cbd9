"""One egress over a real PostgreSQL schema and the OpenPhone simulator, with a clock the test
moves and campaign-engine's answers as data (a campaign id → its status)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.domain.gate import Rules
from smsbus.compliance.egress.requesters import CampaignStates
from smsbus.compliance.egress.sender import BULK, URGENT, Egress, EgressConfig, Lane
from smsbus.compliance.egress.timings import Timings
from smsbus.compliance.store import outbound as store
from smsbus.contracts import decode_event
from smsbus.openphone import OpenPhoneClient, RetryPolicy, TokenBucket
from smsbus.openphone_sim.testing import RunningSimulator
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import Backoff

PERSON = "+14155552671"
FLORIDA = "+13055550123"
RESULTS = "test.outbound.results"
# A client timeout with room for a busy two-core machine (0.3 s was not: CI on 06c8cff saw a
# lookup's GET time out); the tests move their clock past lookup_after (LANDED) to recover.
FAST = Timings(
    client_timeout=1.0,
    lookup_after=3.0,
    lookup_margin=120.0,
    retry=Backoff(initial=0.01, maximum=0.05),
    poll_interval=0.1,
)


LANDED = FAST.lookup_after + 1
"""Seconds to move a test's clock for a POST in doubt to be looked up."""


class MovableClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0) if start is None else start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def set(self, when: datetime) -> None:
        self._offset = when - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


@dataclass
class Campaigns:
    """campaign-engine as data: GET /v1/campaigns/{id} answers the status kept here."""

    status: dict[str, str] = field(default_factory=dict)
    reachable: bool = True

    def transport(self) -> httpx.MockTransport:
        def answer(request: httpx.Request) -> httpx.Response:
            if not self.reachable:
                raise httpx.ConnectError("refused", request=request)
            campaign_id = request.url.path.rsplit("/", 1)[-1]
            if campaign_id not in self.status:
                return httpx.Response(404, json={"detail": "campaign not found"})
            return httpx.Response(200, json={"id": campaign_id, "status": self.status[campaign_id]})

        return httpx.MockTransport(answer)


@dataclass
class EgressRig:
    engine: AsyncEngine
    sessions: Sessions
    sim: RunningSimulator
    client: OpenPhoneClient
    clock: MovableClock
    campaigns: Campaigns

    def egress(self, lane: Lane = URGENT, **config: Any) -> Egress:
        options: dict[str, Any] = {"results_topic": RESULTS, "timings": FAST, "rules": Rules()}
        return Egress(
            engine=self.engine,
            client=self.client,
            campaigns=CampaignStates(
                base_url="http://campaign-engine.test",
                timeout=1.0,
                transport=self.campaigns.transport(),
            ),
            clock=self.clock,
            config=EgressConfig(**(options | config)),
            lane=lane,
        )

    def bulk(self, **config: Any) -> Egress:
        return self.egress(BULK, **config)

    async def request(self, request_id: str = "R1", **fields: Any) -> None:
        values: dict[str, Any] = {
            "id": request_id,
            "purpose": "opt_out_confirmation",
            "requester": "compliance",
            "phone": PERSON,
            "line": self.sim.lines[0],
            "text": f"Acme: text {request_id}",
            "requested_at": self.clock(),
        } | fields
        if isinstance(values.get("send_window"), dict):
            values["send_window"] = json.dumps(values["send_window"])
        async with self.sessions() as session, session.begin():
            await store.add_request(
                conn=await session.connection(), request=store.NewRequest(**values)
            )

    async def row(self, request_id: str = "R1") -> dict[str, Any]:
        async with self.engine.connect() as conn:
            query = text("SELECT * FROM outbound_messages WHERE id = :id")
            return dict((await conn.execute(query, {"id": request_id})).mappings().one())

    async def results(self) -> list[tuple[str, str, str | None]]:
        """(type, request id, reason or message id) of every result in the outbox, in order."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(text("SELECT value FROM outbox ORDER BY id"))).all()
        found = []
        for (value,) in rows:
            event = decode_event(value)
            detail = getattr(event.data, "reason", None) or getattr(event.data, "message_id", None)
            found.append((event.type, event.data.request_id, detail))
        return found

    async def outgoing(self, to: str = PERSON) -> list[dict[str, Any]]:
        return await self.sim.messages(direction="outgoing", to=to)

    async def suppress(self, phone: str = PERSON, at: datetime | None = None) -> None:
        """What an opt-out commits (the suppression row is what the gate reads)."""
        async with self.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO suppressions VALUES (:p, 'E1', :at)"),
                {"p": phone, "at": at or self.clock()},
            )

    async def grant_express(self, phone: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO consent_ledger (entry_id, phone, action, scope, consent_type, "
                    "source, actor, evidence, received_at, recorded_at) VALUES (:e, :p, "
                    "'granted', 'all', 'express', 'web', 'test', '{}', now(), now()) "
                    "ON CONFLICT (entry_id) DO NOTHING"
                ),
                {"e": f"grant-{phone}", "p": phone},
            )


def fast_client(sim: RunningSimulator, **options: Any) -> OpenPhoneClient:
    return OpenPhoneClient(
        api_key=sim.api_key,
        base_url=sim.base_url,
        timeout=FAST.client_timeout,
        retry=RetryPolicy(max_attempts=1),
        bucket=TokenBucket(rate=1000.0, burst=100),
        agent="compliance-egress",
        **options,
    )
