"""The default schedule against the whole pipeline on a stepped clock: an outage that starts
just after a canary came back (the worst moment) is alerted within 5 minutes of the first
webhook lost; one canary whose webhook comes back late fails its check and alerts nobody.

The monitor's clock and the simulator's are frozen and moved forward together by the test, so
minutes pass in seconds. The test plays the monitor's three loops (the schedule, the deadline
sweeper, alert delivery) on that clock with the app's own functions; the app runs its consumers
and outbox relay, compliance's egress sends the canary, ingest takes the webhooks.
"""

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.health.alerting import AlertConfig, AlertSender
from smsbus.health.canary import Canary, CanaryConfig
from smsbus.health.domain.detection import worst_case_detection
from smsbus.health.recording import RecordingConfig
from smsbus.health.scheduler import start_if_due
from smsbus.health.settings import Settings
from smsbus.health.sweeper import expire_due
from smsbus.runtime.db import make_sessions
from smsbus.runtime.offsets import group_lag
from smsbus.runtime.testing import eventually

from .harness import CANARY, Stack, StartStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

logger = logging.getLogger(__name__)

DEFAULTS = Settings()
INTERVAL = timedelta(seconds=DEFAULTS.interval_seconds)
TIMEOUT = timedelta(seconds=DEFAULTS.timeout_seconds)
WORST = worst_case_detection(
    interval=INTERVAL, timeout=TIMEOUT, failures_before_alert=DEFAULTS.failures_before_alert
)
STEP = timedelta(seconds=5)
"""How far the clock moves while a canary is out and the simulator has work due (a status
change, a webhook, a retry); with none due, it moves straight to the next deadline."""
CUSTOMER = "+14155550123"


class SteppedClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Rig:
    """The stack, the monitor's API, and its loops played on the stepped clock."""

    stack: Stack
    api: httpx.AsyncClient
    engine: AsyncEngine
    clock: SteppedClock
    delivered: int = 0
    """Webhooks the simulator delivered so far (a new one: wait for the monitor to read it)."""

    @property
    def now(self) -> datetime:
        return self.clock.now

    def __post_init__(self) -> None:
        self.sessions = make_sessions(self.engine)
        self.recording = RecordingConfig(
            checks_topic=self.stack.topics["health.checks.v1"],
            failures_before_alert=DEFAULTS.failures_before_alert,
            alerts_deliverable=True,
        )
        ids = (f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10_000))
        self.canary = Canary(
            sessions=self.sessions,
            clock=self.clock,
            new_id=lambda: next(ids),
            config=CanaryConfig(
                line=self.stack.sim.lines[0],
                to=CANARY,
                template=DEFAULTS.canary_text,
                timeout=TIMEOUT,
                requests_topic=self.stack.topics["outbound.requests.v1"],
            ),
        )

    async def tick(self) -> None:
        """What the monitor's loops do at this moment, then wait for the pipeline to settle:
        the egress has answered the pending canary, and every webhook due by now is handled."""
        sessions, canary, recording = self.sessions, self.canary, self.recording
        await start_if_due(sessions=sessions, canary=canary, clock=self.clock, interval=INTERVAL)
        await eventually(self._settled)
        await expire_due(sessions=sessions, clock=self.clock, config=recording)
        async with httpx.AsyncClient(timeout=5) as http:
            sender = AlertSender(
                sessions=sessions,
                http=http,
                clock=self.clock,
                config=AlertConfig(url=self.stack.alerts.url),
            )
            await sender.deliver_due()

    async def advance(self, by: timedelta) -> None:
        self.clock.now += by
        await self.stack.sim.clock(advance=by.total_seconds())
        await self.stack.sim.settle()
        await self.tick()

    async def run_until(self, end: datetime) -> None:
        """Steps through time: while a canary is out, by STEP if the simulator has work due,
        else to its deadline; with none out, to the next scheduled check."""
        while self.now < end:
            latest = await self.latest()
            assert latest is not None, "the first tick starts a check"
            if latest["state"] != "sent":
                target = datetime.fromisoformat(latest["created_at"]) + INTERVAL
            elif await self._sim_busy():
                target = self.now + STEP
            else:
                target = datetime.fromisoformat(latest["deadline_at"])
            await self.advance(min(target, end) - self.now)

    async def run_while_out(self) -> None:
        """Until the canary out is decided."""
        while (latest := await self.latest()) is not None and latest["state"] == "sent":
            await self.run_until(self.now + STEP)

    async def latest(self) -> dict[str, Any] | None:
        checks = await self.checks()
        return checks[0] if checks else None

    async def checks(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await self.api.get("/checks")).json()["checks"]
        return found

    async def _sim_busy(self) -> bool:
        """The simulator has status changes or webhook attempts still to come."""
        answer = await self.stack.sim.admin.post("/sim/settle", json={"timeout": 30})
        pending: int = answer.json()["pending"]
        return pending > 0

    async def _settled(self) -> bool:
        latest = await self.latest()
        if latest is not None and latest["state"] == "sending":
            return False  # the egress has not answered yet
        deliveries = await self.stack.sim.deliveries()
        delivered = sum(d["outcome"] == "delivered" for d in deliveries)
        if delivered == self.delivered:
            return True  # no webhook came since the monitor last caught up
        stack = self.stack
        topics = [stack.topics["openphone.messages.v1"], stack.topics["outbound.results.v1"]]
        if any((await group_lag(stack.bootstrap, stack.group, topics)).values()):
            return False
        self.delivered = delivered
        return True


@pytest.fixture
async def rig(start_stack: StartStack, engine: AsyncEngine) -> AsyncIterator[Rig]:
    # OpenPhone's own schedule at its real pace (sent after 0.5 s, delivered after 2 s); a
    # failed webhook attempt is retried 75 s later.
    async with start_stack(speed=1.0, retry_schedule=[0.0, 75.0]) as stack:
        start = datetime.now(UTC).replace(microsecond=0)
        await stack.sim.clock(set=start.isoformat(), frozen=True)
        await stack.subscribe_ingest()
        # The monitor's own loops stay idle (a sweep and an alert delivery at start-up only):
        # the test plays them on its clock.
        clock = SteppedClock(start)
        async with stack.monitor(clock=clock, sweep_interval_seconds=3600.0) as api:
            yield Rig(stack=stack, api=api, engine=engine, clock=clock)


async def test_an_outage_is_alerted_within_five_minutes_of_the_first_lost_webhook(
    rig: Rig,
) -> None:
    await rig.tick()
    await rig.run_while_out()
    [passed] = await rig.checks()
    assert passed["state"] == "passed"

    # The worst moment: just after a canary came back. Every webhook is lost from now on; the
    # first one is a customer's text.
    await rig.stack.sim.faults(drop_rate=1.0)
    await rig.stack.sim.inbound_message(sender=CUSTOMER, to=rig.stack.sim.lines[0], text="hi")
    await rig.stack.sim.settle()
    [lost] = [d for d in await rig.stack.sim.deliveries() if d["outcome"] == "dropped"]
    first_lost = datetime.fromisoformat(lost["at"])

    await rig.run_until(first_lost + timedelta(minutes=6))

    [alert] = rig.stack.alerts.received
    detected = datetime.fromisoformat(alert["at"]) - first_lost
    logger.info(
        "first webhook lost → alert: %.0f s (worst case %s)", detected.total_seconds(), WORST
    )
    assert detected <= timedelta(minutes=5)
    assert WORST - 5 * STEP <= detected <= WORST
    assert (alert["kind"], alert["consecutive_failures"]) == ("alert", 2)
    states = [(c["state"], c["stage"]) for c in reversed(await rig.checks())]
    assert states[:3] == [("passed", None), ("failed", "webhook"), ("failed", "webhook")]


async def test_one_late_webhook_fails_its_check_and_alerts_nobody(rig: Rig) -> None:
    await rig.tick()
    await rig.run_while_out()
    started = datetime.fromisoformat((await rig.checks())[0]["created_at"])
    await rig.run_until(started + INTERVAL - STEP)

    # The next canary's webhook finds ingest unreachable once; OpenPhone's retry 75 s later
    # brings it, past the check's deadline.
    await rig.stack.sim.faults(outage_seconds=30.0)
    await rig.run_until(rig.now + INTERVAL * 3)

    late = [d for d in await rig.stack.sim.deliveries() if d["attempt"] == 2]
    assert [d["outcome"] for d in late] == ["delivered"]
    checks = list(reversed(await rig.checks()))
    assert [(c["state"], c["stage"]) for c in checks[:4]] == [
        ("passed", None),
        ("failed", "webhook"),
        ("passed", None),
        ("passed", None),
    ]
    slow = checks[1]
    arrived = datetime.fromisoformat(late[0]["at"])
    assert arrived > datetime.fromisoformat(slow["deadline_at"])  # late, but it came
    assert (await rig.api.get("/status")).json()["status"] == "healthy"
    assert rig.stack.alerts.received == []
