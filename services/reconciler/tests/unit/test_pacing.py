"""A lane: its own pace before the shared slot, every request counted, 429s passed on."""

from smsbus.openphone import Priority, TokenBucket
from smsbus.reconciler.pacing import Lane


class FakeBudget:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.held: list[float] = []

    async def acquire(self, priority: Priority) -> float:
        self.asked.append(priority)
        return 0.0

    async def throttled(self, seconds: float) -> None:
        self.held.append(seconds)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


async def test_a_lane_keeps_its_share_of_the_rate() -> None:
    shared, time = FakeBudget(), FakeTime()
    pace = TokenBucket(rate=2.55, burst=1, clock=time.clock, sleep=time.sleep)
    lane = Lane(shared, pace=pace)
    for _ in range(4):
        await lane.acquire("reconciliation")
    # 0.3 of 8.5 requests/s: one every 1/2.55 s, whatever the shared budget would allow.
    assert time.slept == [round(1 / 2.55, 6)] * 3
    assert shared.asked == ["reconciliation"] * 4


async def test_a_lane_counts_requests_and_passes_429s_on() -> None:
    shared, counted = FakeBudget(), []
    lane = Lane(shared, on_request=lambda: counted.append(1))
    await lane.acquire("reconciliation")
    await lane.acquire("reconciliation")
    await lane.throttled(2.0)
    assert (len(counted), shared.held) == (2, [2.0])
