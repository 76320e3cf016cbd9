"""Has the reconciler's own consumer read everything that was on its topics when a run began?
A run judges "missing" only against a seen set that is at least that complete."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from aiokafka import TopicPartition

from smsbus.runtime.offsets import end_offsets, lag_behind


async def run_start_offsets(bootstrap: str, topics: Sequence[str]) -> dict[TopicPartition, int]:
    """Where every partition of `topics` ends now; LookupError names a topic that does not exist."""
    ends = await end_offsets(bootstrap, topics)
    missing = set(topics) - {tp.topic for tp in ends}
    if missing:
        raise LookupError(f"topics not found: {', '.join(sorted(missing))}")
    return ends


async def wait_caught_up(
    bootstrap: str,
    group_id: str,
    targets: dict[TopicPartition, int],
    *,
    within: float,
    poll: float = 0.2,
) -> int:
    """Waits up to `within` seconds for the group to reach `targets`; answers the remaining
    lag in records (0: caught up)."""
    deadline = time.monotonic() + within
    while True:
        remaining = sum((await lag_behind(bootstrap, group_id, targets)).values())
        if remaining == 0 or time.monotonic() >= deadline:
            return remaining
        await asyncio.sleep(min(poll, max(0.0, deadline - time.monotonic())))
