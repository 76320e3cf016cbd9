"""The dispatcher's set-based batch on real PostgreSQL (compliance's eligibility answered
in-process over ASGI): a batch mixing every kind of decision is written as a whole, a batch
costs the same statements whatever its size, lanes share the work without breaking a limit, and
a failure mid-batch leaves every member as it was."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.campaigns.dispatch import DispatchConfig, Dispatcher
from smsbus.campaigns.eligibility import EligibilityClient
from smsbus.campaigns.models import CampaignRow, ContactRow, MemberRow, SuppressionRow
from smsbus.contracts import decode_event
from smsbus.runtime.db import Sessions

from .rig import compliance

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 3, 14, 30, tzinfo=UTC)  # Tuesday 09:30 in New York, 06:30 in California
SENT, OPTED_OUT, INELIGIBLE = "+12125550143", "+12125550144", "+12125550145"
CAPPED, ASLEEP = "+13055550143", "+14155550143"  # Florida (3 a day), California (before 08:00)
CALIFORNIA_OPENS = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)  # 09:00 PST, the campaign's start


@dataclass
class Bench:
    sessions: Sessions
    db: AsyncEngine
    ineligible: dict[str, list[str]] = field(default_factory=dict)
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def dispatcher(self, *, batch: int = 100) -> Dispatcher:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=compliance(self.ineligible)))
        self.clients.append(http)
        eligibility = EligibilityClient(base_url="http://compliance", ttl=0, http=http)
        config = DispatchConfig(events_topic="events", requests_topic="requests", batch=batch)
        return Dispatcher(
            sessions=self.sessions, eligibility=eligibility, clock=lambda: NOW, config=config
        )

    async def campaign(self, cid: str, phones: list[str], **fields: Any) -> None:
        """A running campaign with `phones` as pending members, due now."""
        values: dict[str, Any] = {
            "id": cid, "name": cid, "status": "running", "line": "PNline", "purpose": "marketing",
            "variants": [{"name": "A", "template": "Hi {first_name}", "weight": 1.0}],
            "daily_limit": None, "timezone": "America/New_York", "window_days": list(range(7)),
            "window_start": "09:00", "window_end": "18:00", "min_gap_days": 0,
        }  # fmt: skip
        async with self.sessions() as session, session.begin():
            session.add(CampaignRow(**(values | fields)))
            for phone in phones:
                contact_id = f"k{phone}"
                if await session.get(ContactRow, contact_id) is None:
                    session.add(ContactRow(id=contact_id, phone=phone, first_name="Ann"))
                session.add(MemberRow(
                    id=f"{cid}-{phone}", campaign_id=cid, contact_id=contact_id, phone=phone,
                    variant="A", status="pending", next_attempt_at=NOW,
                ))  # fmt: skip

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.db.begin() as conn:
            await conn.execute(text(sql), params)

    async def rows(self, sql: str) -> list[Any]:
        async with self.db.connect() as conn:
            return list((await conn.execute(text(sql))).all())

    async def members(self) -> dict[str, tuple[str, str | None, int]]:
        rows = await self.rows("SELECT id, status, reason, attempts FROM members")
        return {r.id: (r.status, r.reason, r.attempts) for r in rows}

    async def requests(self) -> Counter[str]:
        """send.requested in the outbox, per member."""
        rows = await self.rows("SELECT value FROM outbox WHERE event_type = 'send.requested'")
        return Counter(decode_event(bytes(r[0])).data.member_id for r in rows)


@pytest.fixture
async def bench(sessions: Sessions, engine: AsyncEngine) -> AsyncIterator[Bench]:
    made = Bench(sessions, engine)
    yield made
    for client in made.clients:
        await client.aclose()


async def test_a_mixed_batch_is_decided_and_written_as_a_whole(bench: Bench) -> None:
    # CAPPED had three marketing texts in the last 24 h, from three earlier campaigns.
    for hours in (1, 2, 3):
        await bench.campaign(f"earlier{hours}", [CAPPED], status="completed")
        await bench.execute(
            "UPDATE members SET status = 'sent', attempts = 1, intent_at = :at WHERE campaign_id = :c",
            at=NOW - timedelta(hours=hours), c=f"earlier{hours}",
        )  # fmt: skip
    async with bench.sessions() as session, session.begin():
        session.add(SuppressionRow(phone=OPTED_OUT, suppressed=True, changed_at=NOW, entry_id="e1"))
    bench.ineligible[INELIGIBLE] = ["dnc"]
    await bench.campaign("c1", [SENT, OPTED_OUT, INELIGIBLE, CAPPED, ASLEEP])

    assert await bench.dispatcher().dispatch_once() == 5

    members = await bench.members()
    assert {k: v for k, v in members.items() if k.startswith("c1-")} == {
        f"c1-{SENT}": ("sending", None, 1),
        f"c1-{OPTED_OUT}": ("skipped", "opted_out", 0),
        f"c1-{INELIGIBLE}": ("skipped", "dnc", 0),
        f"c1-{CAPPED}": ("pending", "frequency_cap", 0),
        f"c1-{ASLEEP}": ("pending", "outside_window", 0),
    }
    waiting = dict(await bench.rows("SELECT phone, next_attempt_at FROM members WHERE campaign_id = 'c1' AND status = 'pending'"))  # fmt: skip
    assert waiting == {
        CAPPED: NOW - timedelta(hours=3) + timedelta(hours=24),
        ASLEEP: CALIFORNIA_OPENS,
    }
    sent = (await bench.rows(f"SELECT text, segments, intent_at FROM members WHERE id = 'c1-{SENT}'"))[0]  # fmt: skip
    assert tuple(sent) == ("Hi Ann", 1, NOW)
    assert await bench.requests() == {f"c1-{SENT}": 1}
    skipped = await bench.rows("SELECT event_id FROM outbox WHERE event_type = 'member.skipped' ORDER BY 1")  # fmt: skip
    assert [r[0] for r in skipped] == [f"campaign-engine-member.skipped-c1-{p}" for p in sorted([OPTED_OUT, INELIGIBLE])]  # fmt: skip
    assert await bench.rows("SELECT campaign_id, used FROM campaign_days") == [("c1", 1)]
    assert await bench.rows("SELECT line, segments FROM line_days") == [("PNline", 1)]

    # Nothing else is due: another round claims nobody and asks for nothing twice.
    assert await bench.dispatcher().dispatch_once() == 0
    assert await bench.requests() == {f"c1-{SENT}": 1}


@contextmanager
def statements(db: AsyncEngine) -> Iterator[list[str]]:
    """The SQL the dispatcher itself sends (the outbox's own writes are the runtime's)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "outbox" not in statement and "pg_notify" not in statement:
            seen.append(statement)

    event.listen(db.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.sync_engine, "before_cursor_execute", record)


async def test_a_batch_costs_the_same_statements_whatever_its_size(bench: Bench) -> None:
    await bench.campaign("small", [f"+1212555{1000 + i}" for i in range(3)])
    await bench.campaign("large", [f"+1212555{2000 + i}" for i in range(60)])
    await bench.execute("UPDATE campaigns SET status = 'paused' WHERE id = 'large'")
    with statements(bench.db) as small:
        assert await bench.dispatcher().dispatch_once() == 3
    await bench.execute("UPDATE campaigns SET status = 'running' WHERE id = 'large'")
    with statements(bench.db) as large:
        assert await bench.dispatcher().dispatch_once() == 60
    assert len(large) == len(small) <= 12, large
    assert sum((await bench.requests()).values()) == 63


async def test_lanes_share_the_work_and_the_daily_limit_holds(bench: Bench) -> None:
    phones = [f"+1212555{1000 + i}" for i in range(10)]
    await bench.campaign("c1", phones, daily_limit=7)
    lanes = [bench.dispatcher(batch=5), bench.dispatcher(batch=5)]
    claimed = await asyncio.gather(*(lane.dispatch_once() for lane in lanes))
    assert claimed == [5, 5]  # SKIP LOCKED: each lane its own members
    requested = await bench.requests()
    assert (len(requested), set(requested.values())) == (7, {1})  # whichever lane locked first
    assert Counter(s for s, _, _ in (await bench.members()).values()) == {
        "sending": 7,
        "pending": 3,
    }
    assert await bench.rows("SELECT used FROM campaign_days") == [(7,)]


async def test_a_failure_mid_batch_leaves_no_member_half_dispatched(bench: Bench) -> None:
    phones = [f"+1212555{1000 + i}" for i in range(20)]
    await bench.campaign("c1", phones[:18])
    await bench.campaign("c2", phones[18:])
    # The outbox refuses the batch's last send request, as a full disk or a lost connection
    # would: the members' updates and the counts were already written in that transaction.
    await bench.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.event_id LIKE '%c2-%' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$"
    )
    await bench.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse()"
    )
    dispatcher = bench.dispatcher()
    with pytest.raises(Exception, match="disk full"):
        await dispatcher.dispatch_once()
    assert set((await bench.members()).values()) == {("pending", None, 0)}
    assert await bench.rows("SELECT * FROM outbox") == []
    assert await bench.rows("SELECT * FROM campaign_days") == []
    assert await bench.rows("SELECT * FROM line_days") == []

    await bench.execute("DROP TRIGGER refuse ON outbox")
    assert await dispatcher.dispatch_once() == 20
    assert await bench.requests() == {f"c{1 if i < 18 else 2}-{p}": 1 for i, p in enumerate(phones)}
    assert set((await bench.members()).values()) == {("sending", None, 1)}


async def test_the_address_on_the_contact_decides_with_the_number(bench: Bench) -> None:
    """New York numbers whose contacts live elsewhere: the address's state (or its ZIP's) adds
    its rules and its zones, read from the contacts table in the batch's one statement."""
    in_ca, capped, in_miami, in_florida = (f"+1212555016{i}" for i in range(4))
    async with bench.sessions() as session, session.begin():
        for phone, state, zip_code in ((in_ca, None, "94105"), (capped, "FL", None),
                                       (in_miami, None, "33101"), (in_florida, "FL", None)):  # fmt: skip
            session.add(ContactRow(id=f"k{phone}", phone=phone, first_name="Ann", state=state, zip=zip_code))  # fmt: skip
    for hours in (1, 2, 3):  # three marketing texts today: Florida's cap, by the address alone
        await bench.campaign(f"earlier{hours}", [capped], status="completed")
        await bench.execute(
            "UPDATE members SET status = 'sent', attempts = 1, intent_at = :at WHERE campaign_id = :c",
            at=NOW - timedelta(hours=hours), c=f"earlier{hours}",
        )  # fmt: skip
    await bench.campaign("c1", [in_ca, capped, in_miami, in_florida])

    assert await bench.dispatcher().dispatch_once() == 4

    members = {k: v for k, v in (await bench.members()).items() if k.startswith("c1-")}
    assert members == {
        f"c1-{in_ca}": ("pending", "outside_window", 0),  # 06:30 in San Francisco
        f"c1-{capped}": ("pending", "frequency_cap", 0),
        f"c1-{in_miami}": ("sending", None, 1),
        f"c1-{in_florida}": ("pending", "outside_window", 0),  # maybe the panhandle: 08:30 CST
    }
    waiting = dict(await bench.rows("SELECT phone, next_attempt_at FROM members WHERE campaign_id = 'c1' AND status = 'pending'"))  # fmt: skip
    assert waiting == {
        in_ca: CALIFORNIA_OPENS,
        capped: NOW - timedelta(hours=3) + timedelta(hours=24),
        in_florida: datetime(2026, 3, 3, 15, 0, tzinfo=UTC),  # 09:00 CST, the campaign's start
    }
    rows = await bench.rows("SELECT value FROM outbox WHERE event_type = 'send.requested'")
    (request,) = [decode_event(bytes(r[0])).data for r in rows]
    assert (request.to, request.recipient_state) == (
        in_miami,
        "FL",
    )  # the egress's state: the ZIP's
