"""How many records wait in compliance's dead-letter topic (a gauge for alerts)."""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from smsbus.compliance.observability import ComplianceMetrics
from smsbus.runtime.failures import error_message

logger = logging.getLogger(__name__)


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="compliance-dlq-gauge")
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return [
        TopicPartition(topic, partition["partition"])
        for found in described
        if found["error_code"] == 0
        for partition in found["partitions"]
    ]


async def dlq_size(bootstrap: str, topic: str) -> int:
    """Records between the beginning and the end of every partition of `topic`."""
    tps = await _partitions(bootstrap, topic)
    if not tps:
        return 0
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        start = await consumer.beginning_offsets(tps)
        end = await consumer.end_offsets(tps)
        return sum(end[tp] - start[tp] for tp in tps)
    finally:
        await consumer.stop()


async def watch_dlq(
    *, bootstrap: str, topic: str, metrics: ComplianceMetrics, interval: float
) -> None:
    """Refreshes the gauge until cancelled."""
    while True:
        try:
            metrics.dlq_size.labels(topic=topic).set(await dlq_size(bootstrap, topic))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("cannot measure %s: %s", topic, error_message(exc, limit=200))
        await asyncio.sleep(interval)
