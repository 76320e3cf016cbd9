import asyncpg
import pytest
import sqlalchemy.exc
from aiokafka import errors as kafka_errors
from pydantic import BaseModel, ValidationError

from smsbus.contracts import UnknownEventType
from smsbus.runtime.failures import (
    Backoff,
    FailedRecord,
    Fault,
    TransientError,
    classify,
    dead_letter_headers,
)


def _validation_error() -> ValidationError:
    class M(BaseModel):
        n: int

    try:
        M.model_validate({"n": "x"})
    except ValidationError as exc:
        return exc
    raise AssertionError


def _wrapped_db_error(orig: BaseException) -> sqlalchemy.exc.DBAPIError:
    return sqlalchemy.exc.DBAPIError("SELECT 1", None, orig)


def _caused(exc: BaseException, cause: BaseException) -> BaseException:
    exc.__cause__ = cause
    return exc


@pytest.mark.parametrize(
    ("label", "exc", "fault"),
    [
        ("connection refused", ConnectionRefusedError(), Fault.TRANSIENT),
        ("timeout", TimeoutError(), Fault.TRANSIENT),
        ("asyncio timeout", TimeoutError(), Fault.TRANSIENT),
        ("explicit transient", TransientError("dependency 503"), Fault.TRANSIENT),
        ("kafka connection", kafka_errors.KafkaConnectionError(), Fault.TRANSIENT),
        ("kafka retriable", kafka_errors.NotLeaderForPartitionError(), Fault.TRANSIENT),
        ("pg cannot connect now", asyncpg.exceptions.CannotConnectNowError(), Fault.TRANSIENT),
        ("pg connection lost", asyncpg.exceptions.ConnectionDoesNotExistError(), Fault.TRANSIENT),
        ("pg serialization", asyncpg.exceptions.SerializationError(), Fault.TRANSIENT),
        ("pg deadlock", asyncpg.exceptions.DeadlockDetectedError(), Fault.TRANSIENT),
        ("pg admin shutdown", asyncpg.exceptions.AdminShutdownError(), Fault.TRANSIENT),
        ("sqlalchemy wraps oserror", _wrapped_db_error(OSError()), Fault.TRANSIENT),
        ("sqlalchemy pool timeout", sqlalchemy.exc.TimeoutError(), Fault.TRANSIENT),
        ("raised from a transient", _caused(RuntimeError(), OSError()), Fault.TRANSIENT),
        ("validation", _validation_error(), Fault.POISON),
        ("unknown type", UnknownEventType("x"), Fault.POISON),
        ("json decode", ValueError("Expecting value"), Fault.POISON),
        ("bug", KeyError("missing"), Fault.POISON),
        ("pg unique violation", asyncpg.exceptions.UniqueViolationError(), Fault.POISON),
        ("sqlalchemy integrity", _wrapped_db_error(ValueError()), Fault.POISON),
        ("kafka non-retriable", kafka_errors.MessageSizeTooLargeError(), Fault.POISON),
    ],
)
def test_classify(label: str, exc: BaseException, fault: Fault) -> None:
    assert classify(exc) is fault, label


def test_only_explicit_causes_count() -> None:
    # An OSError handled earlier (implicit __context__) does not make a bug transient.
    def buggy() -> None:
        try:
            raise OSError
        except OSError:
            raise KeyError("bug") from None

    with pytest.raises(KeyError) as caught:
        buggy()
    assert classify(caught.value) is Fault.POISON


@pytest.mark.parametrize(
    ("attempt", "rand", "expected"),
    [
        (1, 0.0, 0.2),
        (1, 1.0, 0.1),
        (2, 0.0, 0.4),
        (3, 0.0, 0.8),
        (10, 0.0, 30.0),
        (50, 0.5, 22.5),
    ],
)
def test_backoff(attempt: int, rand: float, expected: float) -> None:
    backoff = Backoff(initial=0.2, factor=2.0, maximum=30.0, jitter=0.5)
    assert backoff.delay(attempt, rand=lambda: rand) == pytest.approx(expected)


def test_backoff_grows_and_is_jittered() -> None:
    backoff = Backoff()
    delays = [backoff.delay(n) for n in range(1, 8)]
    assert all(0 < d <= backoff.maximum for d in delays)
    assert backoff.delay(7, rand=lambda: 0.0) > backoff.delay(1, rand=lambda: 0.0)


def test_dead_letter_headers() -> None:
    try:
        raise ValueError("bad +12566581234")
    except ValueError as exc:
        headers = dead_letter_headers(FailedRecord("t.v1", 2, 17, "grp"), exc, 1)
    assert headers["x-error-message"] == "bad +*******1234"
    assert headers["x-error-type"] == "builtins.ValueError"
    assert "test_failures.py" in headers["x-error-frame"]
    assert headers["x-attempts"] == "1"
    assert headers["x-original-topic"] == "t.v1"
    assert headers["x-original-partition"] == "2"
    assert headers["x-original-offset"] == "17"
    assert headers["x-consumer-group"] == "grp"
