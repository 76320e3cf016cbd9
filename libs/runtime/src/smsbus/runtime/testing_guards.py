"""The global rules the test plugin (runtime/testing.py) enforces on every test, as courier's
harness does: no network beyond loopback, and no secret or full phone number in the logs.

- Loopback only: a connection to any other address is refused (an `OSError`, as a down host
  would be) and the test fails, even when the code under test swallows the error. Unix sockets
  (the Docker engine of testcontainers) pass. A test that must reach the outside says so with
  `@pytest.mark.outside_network`; processes a test spawns are not watched.
- Logs (`recorded_logs`, `leaks`): every record logged during a test is rendered as the
  services write it (runtime/logging.py's `JsonFormatter`, which masks numbers and bearer
  tokens) and must show no test secret (testing.py's tokens and keys, and the `log_secrets`
  fixture's values, which a member's conftest overrides with its own keys) nor a phone number
  the masking missed (one written with separators).
- Alone (`alone_if_marked`): under pytest-xdist a test that measures time or rates says so with
  `@pytest.mark.alone` and runs with no other test beside it: it holds the run's lock file
  exclusively, every other test holds it shared, so the machine's cores are its own.
"""

from __future__ import annotations

import fcntl
import ipaddress
import logging
import os
import re
import socket
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pytest

from smsbus.runtime.logging import QUIETED, JsonFormatter, mask_phones

OUTSIDE_NETWORK: Final = "outside_network"
ALONE: Final = "alone"
MARKERS: Final = (
    f"{OUTSIDE_NETWORK}: the test may connect beyond loopback (the plugin refuses it otherwise)",
    f"{ALONE}: the test measures time or rates: under pytest-xdist no other test runs beside it",
)

# What the masking (runtime/logging.py) leaves alone: a number written with separators,
# "+1 415 555 0100", "(415) 555-0100", "415.555.0100".
_FORMATTED_PHONE: Final = re.compile(
    r"(?<![\w.+-])(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w.-])"
)


class OutsideNetwork(ConnectionRefusedError):
    """A test connected beyond loopback."""


def _is_loopback(family: int, address: Any) -> bool:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True  # unix sockets stay on this machine
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return str(host) == "localhost"


@contextmanager
def loopback_guard() -> Iterator[list[str]]:
    """Inside the block a connection beyond loopback raises `OutsideNetwork`; yields the
    addresses refused (a caller may have swallowed the error)."""
    attempts: list[str] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(original: Any) -> Any:
        # asyncio's create_connection and every client library end in one of these two.
        def call(sock: socket.socket, address: Any) -> Any:
            if not _is_loopback(sock.family, address):
                attempts.append(repr(address))
                raise OutsideNetwork(f"tests stay on loopback; refused {address!r}")
            return original(sock, address)

        return call

    socket.socket.connect = guarded(connect)  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded(connect_ex)  # type: ignore[method-assign]
    try:
        yield attempts
    finally:
        socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def loopback_only(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker(OUTSIDE_NETWORK):
        yield
        return
    with loopback_guard() as attempts:
        yield
    if attempts:
        pytest.fail(
            f"connected beyond loopback: {', '.join(sorted(set(attempts)))} (mark the test "
            f"`@pytest.mark.{OUTSIDE_NETWORK}` if it must)",
            pytrace=False,
        )


def leaks(records: Iterable[logging.LogRecord], secrets: Iterable[str]) -> list[str]:
    """What of `secrets` or of an unmasked phone number the records show, once rendered."""
    formatter = JsonFormatter()
    # As the masking leaves a secret with a digit run in it ("…-0123456789…" → "…-******6789…").
    wanted = [form for secret in secrets if secret for form in {secret, mask_phones(secret)}]
    found: list[str] = []
    for record in records:
        try:
            line = formatter.format(record)
        except Exception:  # a malformed record: the logging module reports those itself
            continue
        found += [f"a secret in {record.name}" for secret in wanted if secret in line]
        found += [f"{match!r} in {record.name}" for match in _FORMATTED_PHONE.findall(line)]
    return found


@contextmanager
def recorded_logs() -> Iterator[list[logging.LogRecord]]:
    """Every record logged inside the block at the services' levels (INFO and up, `QUIETED`
    loggers from WARNING): those that reach a handler and those that do not (configure_logging
    replaces the root handlers, pytest's caplog's included)."""
    records: list[logging.LogRecord] = []
    make_record = logging.getLogRecordFactory()

    def recording(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        records.append(record)
        return record

    # The levels the services log at (runtime/logging.py's configure_logging), whether or not
    # the code under test configured them.
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in QUIETED)]
    levels = [logger.level for logger in loggers]
    loggers[0].setLevel(logging.INFO)
    for quieted in loggers[1:]:
        quieted.setLevel(logging.WARNING)
    logging.setLogRecordFactory(recording)
    try:
        yield records
    finally:
        logging.setLogRecordFactory(make_record)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def alone_if_marked(node: pytest.Item) -> Iterator[None]:
    """Under pytest-xdist: the run's lock, exclusive for an `alone` test, shared for any other
    (waiting for what holds it the other way); without xdist, nothing."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        yield
        return
    exclusive = node.get_closest_marker(ALONE) is not None
    with (Path(tempfile.gettempdir()) / f"smsbus-tests-{run}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield  # closing the file releases the lock
