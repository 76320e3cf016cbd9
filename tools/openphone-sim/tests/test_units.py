"""The pure parts, table-driven: fault decisions, status plans, pages, payload shapes, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from smsbus.contracts import Call, Message
from smsbus.openphone_sim.clock import SimClock, iso
from smsbus.openphone_sim.events import SimEvent
from smsbus.openphone_sim.faults import (
    Faults,
    chance,
    daily_cap_reached,
    in_outage,
    plan_delivery,
    rest_fault,
)
from smsbus.openphone_sim.lifecycle import outbound_steps
from smsbus.openphone_sim.pagination import (
    BadPageTokenError,
    decode_token,
    encode_token,
    newest_first,
)
from smsbus.openphone_sim.payloads import GENERATIONS
from smsbus.openphone_sim.scheduler import Scheduler
from smsbus.openphone_sim.settings import FailureStatus, Generation, SimSettings

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def test_chance_is_fixed_by_seed_and_subject() -> None:
    assert chance(1, "drop", "EVa") == chance(1, "drop", "EVa")
    assert chance(1, "drop", "EVa") != chance(2, "drop", "EVa")
    assert 0 <= chance(1, "x") < 1


@pytest.mark.parametrize(
    ("faults", "drop", "copies"),
    [
        (Faults(), False, 1),
        (Faults(drop_rate=1), True, 0),
        (Faults(duplicate_rate=1), False, 2),
        (Faults(drop_rate=1, duplicate_rate=1), True, 0),
    ],
)
def test_delivery_plans(faults: Faults, drop: bool, copies: int) -> None:
    plan = plan_delivery(faults, seed=1, event_id="EV1", webhook_id="WH1")
    assert (plan.drop, len(plan.delays)) == (drop, copies)


def test_delays_stay_within_the_maximum_and_rates_come_out_near_their_share() -> None:
    faults = Faults(delay_rate=1, delay_max_seconds=30, drop_rate=0.3)
    plans = [plan_delivery(faults, seed=5, event_id=f"EV{n}", webhook_id="WH") for n in range(1000)]
    delays = [delay for plan in plans for delay in plan.delays]
    assert all(0 <= delay <= 30 for delay in delays)
    assert 250 <= sum(plan.drop for plan in plans) <= 350


def test_rest_faults_pick_from_the_statuses_and_slow_down() -> None:
    faults = Faults(rest_error_rate=1, rest_error_statuses=[429, 503], slow_rate=1, slow_seconds=2)
    decisions = [rest_fault(faults, seed=3, request_number=n) for n in range(100)]
    assert {d.status for d in decisions} == {429, 503}
    assert {d.slow_seconds for d in decisions} == {2}
    assert rest_fault(Faults(), seed=3, request_number=1).status is None


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (T0 - timedelta(seconds=1), False),
        (T0, True),
        (T0 + timedelta(minutes=9), True),
        (T0 + timedelta(minutes=10), False),
    ],
)
def test_the_outage_window_includes_its_start_and_excludes_its_end(
    at: datetime, inside: bool
) -> None:
    faults = Faults(outage_start=T0, outage_end=T0 + timedelta(minutes=10))
    assert in_outage(faults, at) is inside


def test_an_outage_in_seconds_is_anchored_at_now() -> None:
    anchored = Faults(outage_seconds=60).anchored(T0)
    assert (anchored.outage_start, anchored.outage_end) == (T0, T0 + timedelta(seconds=60))


@pytest.mark.parametrize(
    ("cap", "sent", "reached"), [(None, 10_000, False), (2, 1, False), (2, 2, True), (0, 0, True)]
)
def test_the_daily_cap(cap: int | None, sent: int, reached: bool) -> None:
    assert daily_cap_reached(Faults(daily_cap=cap), sent_today=sent) is reached


FAILING: dict[str, FailureStatus] = {"+15555550198": "failed", "+15555550199": "undelivered"}


@pytest.mark.parametrize(
    ("to", "plan"),
    [
        (["+15555550142"], [(1, "sent", None), (3, "delivered", "message.delivered")]),
        (["+15555550199"], [(1, "sent", None), (3, "undelivered", "message.undelivered")]),
        (["+15555550198"], [(3, "failed", "message.failed")]),
        (
            ["+15555550142", "+15555550199"],
            [(1, "sent", None), (3, "undelivered", "message.undelivered")],
        ),
    ],
)
def test_outbound_status_plans(to: list[str], plan: list[tuple[float, str, str | None]]) -> None:
    steps = outbound_steps(to, failing=FAILING, sent_after=1, delivered_after=3)
    assert [(s.after, s.status, s.event) for s in steps] == plan


def test_page_tokens_round_trip_and_refuse_garbage() -> None:
    assert decode_token(encode_token((T0, 7))) == (T0, 7)
    with pytest.raises(BadPageTokenError):
        decode_token("garbage")


def test_pages_walk_newest_first_and_ignore_later_inserts() -> None:
    items = [(T0 + timedelta(seconds=n), n) for n in range(5)]
    first = newest_first(items, position=lambda i: i, max_results=2, page_token=None)
    items.append((T0 + timedelta(hours=1), 99))
    second = newest_first(
        items, position=lambda i: i, max_results=2, page_token=first.next_page_token
    )
    third = newest_first(
        items, position=lambda i: i, max_results=2, page_token=second.next_page_token
    )
    assert [n for _, n in first.items + second.items + third.items] == [4, 3, 2, 1, 0]
    assert third.next_page_token is None


MESSAGE = Message.model_validate(
    {"id": "AC1", "from": "+15555550142", "to": ["+15555550100"], "direction": "incoming", "text": "Hi",
     "status": "received", "createdAt": "2025-01-01T12:00:00.123456Z", "phoneNumberId": "PN1", "conversationId": "CN1"}
)  # fmt: skip
CALL = Call.model_validate(
    {"id": "AC2", "direction": "incoming", "status": "completed", "participants": ["+15555550142"],
     "createdAt": "2025-01-01T12:00:00Z", "phoneNumberId": "PN1"}
)  # fmt: skip


def event(resource: Message | Call) -> SimEvent:
    return SimEvent(id="EV1", type="message.received", created_at=T0, resource=resource,
                    phone_number_id="PN1", line_number="+15555550100", org_id="OR1")  # fmt: skip


# generation, path into the rendered message event, expected value
MESSAGE_SHAPES = [
    ("v4", ("data", "object", "text"), "Hi"),
    ("v4", ("data", "object", "to"), ["+15555550100"]),
    ("v4", ("data", "object", "createdAt"), "2025-01-01T12:00:00.123Z"),
    ("v4", ("object",), "event"),
    ("v2", ("data", "object", "body"), "Hi"),
    ("v2", ("data", "object", "to"), "+15555550100"),
    ("v3", ("data", "object", "createdBy"), None),
    ("2026-03-30", ("data", "resource", "text"), "Hi"),
    ("2026-03-30", ("data", "context", "senderIdentifier"), "+15555550142"),
    ("2026-03-30", ("data", "context", "contacts", "lookupStatus"), "none"),
    ("2026-03-30", ("data", "links", "quo"), "https://my.quo.com/inbox/PN1/c/CN1"),
]


@pytest.mark.parametrize(("generation", "path", "expected"), MESSAGE_SHAPES)
def test_message_payload_shapes(
    generation: Generation, path: tuple[str, ...], expected: object
) -> None:
    rendered: object = GENERATIONS[generation].render(event(MESSAGE))
    for key in path:
        assert isinstance(rendered, dict)
        rendered = rendered[key]
    assert rendered == expected


def test_app_calls_have_from_and_to_and_v4_calls_have_participants() -> None:
    app = GENERATIONS["v2"].render(event(CALL))["data"]["object"]
    v4 = GENERATIONS["v4"].render(event(CALL))["data"]["object"]
    assert (app["from"], app["to"], "participants" in app) == (
        "+15555550142",
        "+15555550100",
        False,
    )
    assert (v4["participants"], "from" in v4) == (["+15555550142"], False)


def test_settings_read_comma_separated_lists_and_the_shared_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMSBUS_SIM_WEBHOOK_URLS", "http://a/h, http://b/h")
    monkeypatch.setenv("SMSBUS_SIM_RETRY_SCHEDULE", "0,1.5,3")
    monkeypatch.setenv("SMSBUS_OPENPHONE_API_KEY", "from-the-stack")
    monkeypatch.setenv("SMSBUS_SIM_FAILING_NUMBERS", "+15555550111:failed")
    settings = SimSettings()
    assert settings.webhook_urls == ["http://a/h", "http://b/h"]
    assert settings.retry_schedule == [0, 1.5, 3]
    assert settings.api_keys == ["from-the-stack"]
    assert settings.failing_statuses() == {"+15555550111": "failed"}


def test_an_empty_webhook_list_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMSBUS_SIM_WEBHOOK_URLS", ",")
    assert SimSettings().webhook_urls == []


def test_the_clock_follows_real_time_until_frozen_and_then_only_advances() -> None:
    ticks = iter([0.0, 0.0, 10.0, 10.0, 10.0, 50.0])
    clock = SimClock(monotonic=lambda: next(ticks))
    clock.set(T0)
    assert clock.now() == T0 + timedelta(seconds=10)
    clock.freeze()
    clock.advance(5)
    assert iso(clock.now()) == "2025-01-01T12:00:15.000Z"
    assert clock.seconds_until(T0 + timedelta(seconds=20)) is None


async def test_scheduled_work_runs_when_the_frozen_clock_reaches_it() -> None:
    clock = SimClock()
    clock.set(T0, frozen=True)
    scheduler = Scheduler(clock, speed=10)
    ran: list[str] = []

    async def job() -> None:
        ran.append("done")

    scheduler.start()
    try:
        scheduler.after(100, job)  # 100 OpenPhone seconds ÷ 10 = 10 simulated seconds
        assert await scheduler.settle(1)
        assert ran == []
        clock.advance(9)
        scheduler.clock_changed()
        assert await scheduler.settle(1)
        assert ran == []
        clock.advance(1)
        scheduler.clock_changed()
        assert await scheduler.settle(1)
        assert ran == ["done"]
    finally:
        await scheduler.stop()
