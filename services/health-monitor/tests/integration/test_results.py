"""Starting a canary and the egress's answers, against a real PostgreSQL schema: the handlers
called with the envelopes compliance publishes (Kafka and the egress are the stack tests')."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import Envelope, decode_event, make_envelope
from smsbus.contracts.outbound import SendAccepted, SendDeferred, SendFailed, SendRefused
from smsbus.health.canary import Canary, CanaryConfig
from smsbus.health.domain.checks import Check
from smsbus.health.handlers import Deps, routes
from smsbus.health.recording import RecordingConfig
from smsbus.health.store import checks as store
from smsbus.health.sweeper import expire_due
from smsbus.runtime.batches import handle_in_one_transaction
from smsbus.runtime.db import make_sessions

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
LINE, CANARY = "+15555550100", "+14155550177"
REQUESTS = "test.outbound.requests"
DECISIONS = RecordingConfig(
    checks_topic="test.checks", failures_before_alert=2, alerts_deliverable=False
)


class Rig:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = make_sessions(engine)
        self.now = NOW
        self.ids = iter(f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 100))
        self.canary = Canary(
            sessions=self.sessions,
            clock=lambda: self.now,
            new_id=lambda: next(self.ids),
            config=CanaryConfig(
                line=LINE,
                to=CANARY,
                template="smsbus canary {check_id}",
                timeout=timedelta(seconds=120),
                requests_topic=REQUESTS,
            ),
        )
        self.routes = routes(Deps(clock=lambda: self.now, canary_to=CANARY, recording=DECISIONS))

    async def handle(self, *events: Envelope[Any]) -> None:
        """The events as one batch of the runtime's consumer."""
        await handle_in_one_transaction(
            sessions=self.sessions, consumer="health-monitor", routes=self.routes, events=events
        )

    async def check(self, check_id: str) -> Check:
        async with self.sessions() as session:
            found = await store.get(session=session, check_id=check_id)
        assert found is not None
        return found

    async def outbox(self) -> list[tuple[str, str, Any]]:
        """(topic, key, event) of every row, in order."""
        async with self.engine.connect() as conn:
            query = text("SELECT topic, key, value FROM outbox ORDER BY id")
            rows = (await conn.execute(query)).all()
        return [(topic, key.decode(), decode_event(value)) for topic, key, value in rows]

    async def count(self, table: str) -> int:
        async with self.engine.connect() as conn:
            return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


def result(
    kind: str, check_id: str, requester: str = "health-monitor", **changes: Any
) -> Envelope[Any]:
    """A result as compliance's egress publishes it."""
    fields: dict[str, Any] = {
        "request_id": check_id, "purpose": "canary", "requester": requester, "to": CANARY,
        "line": LINE, "at": NOW,
    }  # fmt: skip
    event: SendAccepted | SendRefused | SendDeferred | SendFailed
    if kind == "accepted":
        fields |= {"message_id": "ACcanary", "sent_at": NOW, "consent": "none"}
        event = SendAccepted(**(fields | changes))
    elif kind == "refused":
        event = SendRefused(**(fields | {"reason": "opted_out"} | changes))
    elif kind == "deferred":
        event = SendDeferred(**fields, reason="openphone_payment_required", scope="account")
    else:
        event = SendFailed(**fields, reason="OpenPhone answered 400: bad request")
    return make_envelope(
        event,
        event_type=f"send.{kind}",
        event_id=f"compliance-send.{kind}-{check_id}",
        object_id=check_id,
        source="compliance",
        occurred_at=NOW,
        recorded_at=NOW,
        correlation_id=check_id,
    )


@pytest.fixture
def rig(engine: AsyncEngine) -> Rig:
    return Rig(engine)


async def test_a_check_and_its_send_request_commit_together(rig: Rig) -> None:
    check = await rig.canary.start(trigger="api")
    assert (check.started_at, check.state) == (NOW, "sending")
    [(topic, key, request)] = await rig.outbox()
    assert (topic, key, request.type) == (REQUESTS, CANARY, "send.requested")
    assert (request.data.request_id, request.data.expires_at) == (check.id, check.deadline_at)

    with pytest.raises(store.AlreadyPending):
        await rig.canary.start(trigger="schedule")
    assert await rig.count("checks") == 1
    assert len(await rig.outbox()) == 1  # no request without its check


async def test_accepted_records_the_message_id_and_a_duplicate_is_a_no_op(rig: Rig) -> None:
    check = await rig.canary.start(trigger="api")
    accepted = result("accepted", check.id)
    await rig.handle(accepted)
    await rig.handle(accepted)
    sent = await rig.check(check.id)
    assert (sent.state, sent.message_id, sent.line_number) == ("sent", "ACcanary", LINE)
    assert await rig.count("processed_events") == 1


async def test_accepted_from_a_pn_line_leaves_no_number_to_match(rig: Rig) -> None:
    check = await rig.canary.start(trigger="api")
    await rig.handle(result("accepted", check.id, line="PNcanary"))
    sent = await rig.check(check.id)
    assert (sent.state, sent.message_id, sent.line_number) == ("sent", "ACcanary", None)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        pytest.param("refused", "opted_out", id="refused by the gate"),
        pytest.param("deferred", "openphone_payment_required", id="deferred: account"),
        pytest.param("failed", "OpenPhone answered 400: bad request", id="failed at OpenPhone"),
    ],
)
async def test_a_send_not_made_fails_the_check_at_the_send_stage(
    rig: Rig, kind: str, reason: str
) -> None:
    check = await rig.canary.start(trigger="api")
    rig.now = NOW + timedelta(seconds=2)
    await rig.handle(result(kind, check.id))
    await rig.handle(result(kind, check.id))  # redelivered: nothing more
    failed = await rig.check(check.id)
    assert (failed.state, failed.stage, failed.reason) == ("failed", "send", reason)
    assert (failed.event_type, failed.finished_at) == (f"send.{kind}", rig.now)
    events = [event for _, _, event in await rig.outbox()]
    assert [e.type for e in events] == ["send.requested", "canary.failed"]
    assert (events[1].data.stage, events[1].data.reason) == ("send", reason)


async def test_a_result_for_a_decided_check_changes_nothing(rig: Rig) -> None:
    check = await rig.canary.start(trigger="api")
    await rig.handle(result("refused", check.id))
    await rig.handle(result("accepted", check.id))  # cannot happen; must not revive it
    failed = await rig.check(check.id)
    assert (failed.state, failed.message_id, failed.reason) == ("failed", None, "opted_out")

    late = await rig.canary.start(trigger="api")
    rig.now = late.deadline_at
    assert await expire_due(sessions=rig.sessions, clock=lambda: rig.now, config=DECISIONS) == 1
    await rig.handle(result("refused", late.id, reason="expired"))
    expired = await rig.check(late.id)
    assert (expired.stage, expired.event_type) == ("send", None)
    assert expired.reason == "no send result from the egress and no webhook within 120 s"
    assert [e.type for _, _, e in await rig.outbox()].count("canary.failed") == 2


async def test_other_requesters_results_are_not_read(rig: Rig) -> None:
    check = await rig.canary.start(trigger="api")
    await rig.handle(result("refused", check.id, requester="campaign-engine"))
    assert (await rig.check(check.id)).state == "sending"
    assert await rig.count("processed_events") == 0


async def test_refused_canaries_count_toward_alerting(rig: Rig) -> None:
    for _ in range(2):
        check = await rig.canary.start(trigger="schedule")
        await rig.handle(result("refused", check.id))
    async with rig.engine.connect() as conn:
        alerts = (await conn.execute(text("SELECT kind, status FROM alerts"))).all()
    assert [tuple(a) for a in alerts] == [("alert", "skipped")]
