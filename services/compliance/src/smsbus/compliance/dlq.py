"""How many records wait in compliance's dead-letter topics (a gauge for alerts)."""

from __future__ import annotations

import asyncio
import logging

from smsbus.compliance.observability import ComplianceMetrics
from smsbus.runtime.failures import error_message
from smsbus.runtime.offsets import topic_size

logger = logging.getLogger(__name__)


async def watch_dlq(
    *, bootstrap: str, topics: list[str], metrics: ComplianceMetrics, interval: float
) -> None:
    """Refreshes the gauge until cancelled."""
    while True:
        for topic in topics:
            try:
                metrics.dlq_size.labels(topic=topic).set(await topic_size(bootstrap, topic))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("cannot measure %s: %s", topic, error_message(exc, limit=200))
        await asyncio.sleep(interval)
