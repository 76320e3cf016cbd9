"""The token bucket: bursts, spacing, fairness, hold-offs, one bucket per key per process."""

import asyncio
import time

import pytest

from smsbus.openphone.ratelimit import TokenBucket, shared_bucket


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("rate", "burst", "expected_waits"),
    [
        (10.0, 1, [0.0, 0.1, 0.2, 0.3]),
        (10.0, 3, [0.0, 0.0, 0.0, 0.1, 0.2]),
        (2.0, 2, [0.0, 0.0, 0.5, 1.0]),
    ],
    ids=["no burst", "burst of 3", "2 per second"],
)
def test_requests_asked_at_once(rate: float, burst: int, expected_waits: list[float]) -> None:
    bucket = TokenBucket(rate=rate, burst=burst, clock=ManualClock())
    waits = [bucket.reserve() for _ in expected_waits]
    assert waits == pytest.approx(expected_waits)


def test_the_bucket_refills_with_time_up_to_its_burst() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=10.0, burst=3, clock=clock)
    for _ in range(3):
        bucket.reserve()
    clock.now += 10.0  # a long quiet spell refills 3 tokens, not 100
    waits = [bucket.reserve() for _ in range(4)]
    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.1])


def test_holding_off_delays_everyone_then_resumes_the_rate() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=10.0, burst=5, clock=clock)
    bucket.hold_off(2.0)
    waits = [bucket.reserve() for _ in range(3)]
    assert waits == pytest.approx([2.0, 2.1, 2.2])


def test_a_hold_off_shorter_than_the_queue_changes_nothing() -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate=10.0, burst=1, clock=clock)
    for _ in range(10):
        bucket.reserve()
    bucket.hold_off(0.5)
    assert bucket.reserve() == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs", [{"rate": 0.0}, {"burst": 0}], ids=str)
def test_a_bucket_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        TokenBucket(**kwargs)  # type: ignore[arg-type]


async def test_concurrent_callers_are_served_in_order_at_the_rate() -> None:
    bucket = TokenBucket(rate=50.0, burst=1)
    started: list[tuple[int, float]] = []

    async def caller(number: int) -> None:
        await bucket.acquire()
        started.append((number, time.monotonic()))

    begin = time.monotonic()
    await asyncio.gather(*(caller(n) for n in range(10)))
    assert [number for number, _ in started] == list(range(10))  # first come, first served
    assert started[-1][1] - begin >= 9 / 50.0 - 0.005  # 10 requests at 50/s take ≥ 0.18 s


def test_one_bucket_per_key_and_base_url() -> None:
    first = shared_bucket("http://127.0.0.1:1/", "key-a-for-registry-test")
    assert shared_bucket("http://127.0.0.1:1", "key-a-for-registry-test") is first
    assert shared_bucket("http://127.0.0.1:1", "key-b-for-registry-test") is not first
    assert shared_bucket("http://127.0.0.1:2", "key-a-for-registry-test") is not first


def test_two_limits_for_one_key_are_a_configuration_error() -> None:
    shared_bucket("http://127.0.0.1:3", "key-c-for-registry-test", rate=10.0, burst=5)
    with pytest.raises(ValueError, match="already has a bucket") as raised:
        shared_bucket("http://127.0.0.1:3", "key-c-for-registry-test", rate=20.0, burst=5)
    assert "key-c-for-registry-test" not in str(raised.value)
