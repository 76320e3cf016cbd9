"""`smsbus tail <topic>`: the records of a topic as they arrive, one JSON line each.

No consumer group: tailing never moves anyone's offsets. From the end by default (what arrives
from now on), or `--from-beginning`; until Ctrl-C, or `--limit` records. The filters of `smsbus
replay` (`--type`, `--phone`, `--dedupe-key`, `--source`) pick what is printed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord

from smsbus.cli.topic_reader import location, partitions
from smsbus.runtime.kafka import stop_consumer


async def follow(
    bootstrap: str,
    topic: str,
    *,
    from_beginning: bool,
    limit: int | None = None,
    keep: Callable[[ConsumerRecord[bytes, bytes]], bool] | None = None,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """`keep`: only the records it accepts (`--limit` counts those)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = await partitions(bootstrap, topic)
        consumer.assign(parts)
        if from_beginning:
            await consumer.seek_to_beginning(*parts)
        else:
            await consumer.seek_to_end(*parts)
        for tp in parts:  # resolve "the end" now, not at the first fetch
            await consumer.position(tp)
        count = 0
        while limit is None or count < limit:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    if keep is not None and not keep(record):
                        continue
                    yield record
                    count += 1
                    if limit is not None and count >= limit:
                        return
    finally:
        await stop_consumer(consumer)


def describe(record: ConsumerRecord[bytes, bytes]) -> dict[str, Any]:
    """Where it is, its key and headers, and the event itself (JSON when it is JSON)."""
    value: Any = (record.value or b"").decode(errors="replace")
    with contextlib.suppress(ValueError):
        value = json.loads(value)
    return {
        "at": location(record),
        "timestamp": datetime.fromtimestamp(record.timestamp / 1000, UTC).isoformat(),
        "key": (record.key or b"").decode(errors="replace"),
        "headers": {name: raw.decode(errors="replace") for name, raw in record.headers},
        "value": value,
    }
