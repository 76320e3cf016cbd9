"""Failure policy for consumers (DESIGN.md §3), decided in one place.

- `classify(exc)`: TRANSIENT (a dependency is down or slow: retry the same event in place)
  or POISON (the event fails the same way every time: dead-letter it and move on).
- `Backoff`: exponential delays with jitter for in-place retries and reconnect loops.
- `dead_letter_headers(...)`: the reason headers a dead letter carries.
"""

from __future__ import annotations

import asyncio
import enum
import random
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

import asyncpg
import sqlalchemy.exc
from aiokafka import errors as kafka_errors

from smsbus.runtime.logging import mask_phones


class Fault(enum.Enum):
    TRANSIENT = "transient"
    POISON = "poison"


class TransientError(Exception):
    """Raise (or raise from) this to mark a failure as transient: the event is retried in place."""


TRANSIENT_TYPES: Final[tuple[type[BaseException], ...]] = (
    TransientError,
    OSError,  # ConnectionError, ConnectionRefusedError, socket errors
    TimeoutError,  # asyncio.TimeoutError is TimeoutError on 3.11
    asyncio.IncompleteReadError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,  # connection pool exhausted
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.InterfaceError,  # "connection is closed"
    kafka_errors.KafkaConnectionError,
    kafka_errors.KafkaTimeoutError,
    kafka_errors.NodeNotReadyError,
    kafka_errors.RequestTimedOutError,
)

# SQLSTATE classes/codes that say "try again": connection exceptions, serialization failure,
# deadlock, insufficient resources, operator intervention (shutdown, cannot connect now).
TRANSIENT_SQLSTATE_PREFIXES: Final = ("08", "40001", "40P01", "53", "57P")

_CHAIN_LIMIT: Final = 8


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and what it wraps: SQLAlchemy's `.orig` and explicit `raise ... from`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < _CHAIN_LIMIT:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TRANSIENT_TYPES):
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, kafka_errors.KafkaError) and exc.retriable:
        return True
    sqlstate = getattr(exc, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(TRANSIENT_SQLSTATE_PREFIXES)


def classify(exc: BaseException) -> Fault:
    """TRANSIENT when the exception or anything it wraps is a dependency fault; else POISON."""
    if any(_is_transient(link) for link in _chain(exc)):
        return Fault.TRANSIENT
    return Fault.POISON


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter.

    Attempt n waits between (1 - jitter)·b and b, where b = min(maximum, initial·factor^(n-1)).
    """

    initial: float = 0.2
    factor: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.5

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        base = min(self.maximum, self.initial * self.factor ** max(0, attempt - 1))
        return base * (1.0 - self.jitter * rand())


def last_frame(exc: BaseException) -> str:
    """Where it failed: `file:line in function` of the innermost frame, or '' without a trace."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"


def error_message(exc: BaseException, *, limit: int = 1000) -> str:
    return mask_phones(str(exc) or exc.__class__.__name__)[:limit]


def error_type(exc: BaseException) -> str:
    cls = type(exc)
    return f"{cls.__module__}.{cls.__qualname__}"


@dataclass(frozen=True, slots=True)
class FailedRecord:
    """Where a dead letter came from."""

    topic: str
    partition: int
    offset: int
    group_id: str


def dead_letter_headers(record: FailedRecord, exc: BaseException, attempts: int) -> dict[str, str]:
    """The reason headers of a dead letter (added to the original record's headers)."""
    return {
        "x-error-message": error_message(exc),
        "x-error-type": error_type(exc),
        "x-error-frame": last_frame(exc),
        "x-attempts": str(attempts),
        "x-original-topic": record.topic,
        "x-original-partition": str(record.partition),
        "x-original-offset": str(record.offset),
        "x-consumer-group": record.group_id,
    }
