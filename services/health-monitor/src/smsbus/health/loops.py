"""One shape for the monitor's loops: do a step, sleep, repeat; back off while a
dependency (the database, the alert receiver) fails."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from smsbus.runtime.failures import Backoff, error_message

logger = logging.getLogger(__name__)

LOOP_BACKOFF = Backoff(initial=1.0, maximum=30.0)


async def repeat(
    step: Callable[[], Awaitable[Any]],
    *,
    name: str,
    interval: float,
    backoff: Backoff = LOOP_BACKOFF,
) -> None:
    """Runs `step` every `interval` seconds until cancelled."""
    failures = 0
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            delay = backoff.delay(failures)
            logger.warning(
                "%s failed (%s); retrying in %.1fs",
                name,
                error_message(exc, limit=300),
                delay,
                exc_info=exc,
            )
            await asyncio.sleep(delay)
            continue
        failures = 0
        await asyncio.sleep(interval)
