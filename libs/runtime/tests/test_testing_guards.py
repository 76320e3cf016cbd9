"""The plugin's global rules (runtime/testing_guards.py) catch what they are for, and only that."""

import asyncio
import logging
import socket
import threading
import time
import uuid

import pytest

from smsbus.runtime.testing import NEVER_LOGGED
from smsbus.runtime.testing_api import OPENPHONE_KEY, TEST_TOKEN
from smsbus.runtime.testing_guards import (
    OutsideNetwork,
    alone_if_marked,
    leaks,
    loopback_guard,
    recorded_logs,
)

OUTSIDE = ("192.0.2.1", 443)  # TEST-NET-1: never routed


def test_a_connection_beyond_loopback_is_refused_and_remembered() -> None:
    with loopback_guard() as attempts, pytest.raises(OutsideNetwork):
        socket.create_connection(OUTSIDE, timeout=1)
    assert attempts == [repr(OUTSIDE)]


async def test_asyncio_connections_are_refused_too() -> None:
    with loopback_guard() as attempts, pytest.raises(OutsideNetwork):
        await asyncio.open_connection(*OUTSIDE)
    assert len(attempts) == 1


def test_loopback_passes() -> None:
    with socket.socket() as server, loopback_guard() as attempts:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=1).close()
    assert attempts == []


@pytest.mark.parametrize(
    ("label", "message", "args", "found"),
    [
        ("a bearer token is masked", "auth: Bearer %s", (TEST_TOKEN,), False),
        ("an E.164 number is masked", "texting %s", ("+14155550100",), False),
        ("the OpenPhone key in plain text", "key=%s", (OPENPHONE_KEY,), True),
        ("the API token outside a bearer", "token %s", (TEST_TOKEN,), True),
        ("a number written with separators", "call %s", ("(415) 555-0100",), True),
        ("a number with spaces", "call %s", ("+1 415 555 0100",), True),
        ("an event id and a time", "EV%s at %s", ("0001-CT1", "2026-03-03 18:00:00"), False),
    ],
)
def test_the_log_check_sees_what_the_services_would_write(
    label: str, message: str, args: tuple[str, ...], found: bool
) -> None:
    # Built, not logged: this test's own check would see the leaks it is made of.
    record = logging.LogRecord("smsbus.tests", logging.INFO, __file__, 1, message, args, None)
    assert bool(leaks([record], NEVER_LOGGED)) is found, label


def test_records_are_seen_even_when_no_handler_takes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # as configure_logging leaves it
    with recorded_logs() as records:
        logging.getLogger("smsbus.tests").info("handled %s", "EV1")
    assert [record.getMessage() for record in records] == ["handled EV1"]


class _Item:
    """What alone_if_marked reads of a test item."""

    def __init__(self, *, alone: bool) -> None:
        self._alone = alone

    def get_closest_marker(self, name: str) -> object | None:
        return object() if self._alone and name == "alone" else None


def test_an_alone_test_waits_for_the_others_and_holds_them_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", f"guards-{uuid.uuid4().hex}")
    events: list[str] = []
    entered = threading.Event()

    def run(name: str, *, alone: bool, hold: float) -> None:
        with alone_if_marked(_Item(alone=alone)):  # type: ignore[arg-type]
            events.append(f"{name} in")
            entered.set()
            time.sleep(hold)
            events.append(f"{name} out")

    shared = threading.Thread(target=run, args=("first",), kwargs={"alone": False, "hold": 0.3})
    shared.start()
    entered.wait(5)
    alone = threading.Thread(target=run, args=("timed",), kwargs={"alone": True, "hold": 0.3})
    alone.start()
    time.sleep(0.1)  # the timed test is waiting for the lock by now
    other = threading.Thread(target=run, args=("second",), kwargs={"alone": False, "hold": 0})
    other.start()
    for thread in (shared, alone, other):
        thread.join(5)
    # The timed test ran with nobody beside it, whatever order the waiters were let in.
    start, end = events.index("timed in"), events.index("timed out")
    assert end == start + 1, events
    assert events.index("first out") < start, events


def test_without_xdist_nothing_is_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID", raising=False)
    inside: list[str] = []

    def run(name: str) -> None:
        with alone_if_marked(_Item(alone=True)):  # type: ignore[arg-type]
            inside.append(f"{name} in")
            time.sleep(0.2)
            inside.append(f"{name} out")

    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    # Both "alone" tests were inside at once: no lock was taken.
    assert sorted(inside[:2]) == ["a in", "b in"], inside
