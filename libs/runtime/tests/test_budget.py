"""The key's budget shared through PostgreSQL: several processes' worth of budgets on one row
keep the rate together; a higher priority is served ahead of bulk work; a 429 slows everyone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.openphone import HEADROOM
from smsbus.runtime.budget import SharedBudget, key_id
from smsbus.runtime.db import make_engine
from smsbus.runtime.testing import unique_name

pytestmark = pytest.mark.integration


@pytest.fixture
async def engines(database_url: str) -> AsyncIterator[list[AsyncEngine]]:
    """Three engines: three processes' connection pools."""
    made = [make_engine(database_url, schema="public") for _ in range(3)]
    yield made
    for engine in made:
        await engine.dispose()


def budgets(engines: list[AsyncEngine], key: str, rate: float = 20.0, burst: int = 1) -> list[SharedBudget]:  # fmt: skip
    return [SharedBudget(engine=e, key=key, headroom=HEADROOM, rate=rate, burst=burst) for e in engines]  # fmt: skip


def a_key() -> str:
    return key_id("http://openphone.test", unique_name("key"))


async def started_at(budget: SharedBudget, priority: str, log: list[tuple[str, float]]) -> None:
    await budget.acquire(priority)  # type: ignore[arg-type]
    log.append((priority, time.monotonic()))


async def test_three_processes_together_keep_the_keys_rate(engines: list[AsyncEngine]) -> None:
    shared = budgets(engines, a_key(), rate=20.0, burst=1)
    log: list[tuple[str, float]] = []

    await asyncio.gather(*(started_at(shared[n % 3], "confirmation", log) for n in range(30)))

    starts = sorted(at for _, at in log)
    span = starts[-1] - starts[0]
    assert span >= 29 / 20.0 * 0.9, f"30 requests at 20/s took {span:.2f}s"
    in_any_second = max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts)
    assert in_any_second <= 21


async def test_the_burst_starts_at_once_on_a_quiet_key(engines: list[AsyncEngine]) -> None:
    shared = budgets(engines, a_key(), rate=10.0, burst=5)
    began = time.monotonic()
    waits = []
    for n in range(5):  # each slot is when it was asked for: no waiting (however slow the DB)
        asked = time.monotonic()
        waits.append(await shared[n % 3].acquire("confirmation") - asked)
    assert max(waits) < 0.05
    assert await shared[0].acquire("confirmation") - began > 0.05


async def test_bulk_work_never_books_far_ahead_so_confirmations_go_first(
    engines: list[AsyncEngine],
) -> None:
    shared = budgets(engines, a_key(), rate=20.0, burst=1)
    log: list[tuple[str, float]] = []
    marketing = [asyncio.create_task(started_at(shared[0], "marketing", log)) for _ in range(60)]
    await asyncio.sleep(0.5)  # the campaign is sending
    asked = time.monotonic()
    await asyncio.gather(*(started_at(shared[1], "confirmation", log) for _ in range(5)))
    served = max(at for priority, at in log if priority == "confirmation")
    for task in marketing:
        task.cancel()
    await asyncio.gather(*marketing, return_exceptions=True)

    # Marketing books at most ~1 s ahead: five confirmations wait for that, not for 60 texts.
    assert served - asked < HEADROOM["marketing"] + 5 / 20.0 + 0.5


async def test_a_429_holds_off_every_process_on_the_key(engines: list[AsyncEngine]) -> None:
    first, second, _ = budgets(engines, a_key(), rate=100.0, burst=1)
    await first.throttled(1.0)
    began = time.monotonic()
    await second.acquire("confirmation")
    assert time.monotonic() - began >= 0.9
