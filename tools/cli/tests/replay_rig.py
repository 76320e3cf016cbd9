"""A source topic for replay tests: real message envelopes (keyed and headed as the services
write them) stamped a tenth of a second apart, some before the window, the window, some after;
and what a replay of it must give."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from smsbus.cli.replay import headers
from smsbus.contracts import Message, make_envelope
from smsbus.runtime.kafka import outgoing
from smsbus.runtime.partitioning import key_partitioner

# Recent: records older than the topic's retention (7 days) are deleted under the test's feet.
T0 = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
OUR_LINE = "+15555550100"
PHONES = tuple(f"+1415555{n:04d}" for n in range(8))
TYPES = ("message.received", "message.delivered", "message.failed", "message.undelivered")
PICKED_TYPES = TYPES[:2]
PICKED_PHONES = PHONES[:4]
"""Half the types, half the phones: a quarter of the window is copied."""
MARGIN = 300
"""Records before and after the window."""


def stamp(n: int) -> datetime:
    return T0 + timedelta(milliseconds=100 * n)


def message(n: int) -> tuple[str, str, bytes | None, bytes, list[tuple[str, bytes]]]:
    """Record n: (type, phone, key, value, headers)."""
    event_type, phone = TYPES[n % 4], PHONES[n // 4 % 8]
    incoming = event_type == "message.received"
    data = Message.model_validate(
        {"id": f"AC{n:08d}", "from": phone if incoming else OUR_LINE,
         "to": [OUR_LINE if incoming else phone], "direction": "incoming" if incoming else "outgoing",
         "text": f"text {n}", "status": "received" if incoming else "delivered", "createdAt": stamp(n)}
    )  # fmt: skip
    event = make_envelope(
        data, event_type=event_type, event_id=f"EV{n:08d}", object_id=data.id, source="openphone.webhook",
        occurred_at=stamp(n), recorded_at=stamp(n), correlation_id=f"corr-{n}",
    )  # fmt: skip
    record = outgoing(event)
    return (
        event_type,
        phone,
        record.key,
        record.value,
        [(k, v.encode()) for k, v in record.headers.items()],
    )


@dataclass(frozen=True)
class Source:
    topic: str
    window: int
    since: datetime
    until: datetime

    @property
    def numbers(self) -> range:
        return range(MARGIN, MARGIN + self.window)


async def fill(bootstrap: str, topic: str, window: int) -> Source:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", partitioner=key_partitioner, linger_ms=20
    )
    await producer.start()
    try:
        sends = []
        for n in range(window + 2 * MARGIN):
            _, _, key, value, heads = message(n)
            ts = int(stamp(n).timestamp() * 1000)
            sends.append(await producer.send(topic, value, key=key, headers=heads, timestamp_ms=ts))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    return Source(topic, window, stamp(MARGIN), stamp(MARGIN + window))


def picked(event_type: str, phone: str) -> bool:
    return event_type in PICKED_TYPES and phone in PICKED_PHONES


def check_copies(
    source: list[ConsumerRecord[bytes, bytes]],
    copies: list[ConsumerRecord[bytes, bytes]],
    window: Source,
    replay: str,
) -> dict[str, Counter[str]]:
    """Every picked record of the window on the target exactly once, as it was plus the replay
    headers; returns the copies' counts by type and by source partition."""
    by_place = {f"{r.topic}/{r.partition}/{r.offset}": r for r in source}
    lo, hi = int(window.since.timestamp() * 1000), int(window.until.timestamp() * 1000)
    expected = {
        place for place, r in by_place.items()
        if lo <= r.timestamp < hi and picked(*_type_and_phone(r))
    }  # fmt: skip
    origins = [headers.header(c.headers, headers.FROM) for c in copies]
    assert len(origins) == len(set(origins)), "a record was copied twice"
    assert set(origins) == expected
    by_type: Counter[str] = Counter()
    by_partition: Counter[str] = Counter()
    for copy, origin in zip(copies, origins, strict=True):
        assert origin is not None
        original = by_place[origin]
        assert (copy.key, copy.value) == (original.key, original.value)
        kept = [(k, v) for k, v in copy.headers if not k.startswith(headers.PREFIX)]
        assert kept == list(original.headers)
        assert headers.header(copy.headers, headers.BY) == replay
        assert headers.header(copy.headers, headers.TIMESTAMP) == str(original.timestamp)
        by_type[headers.header(copy.headers, "event-type") or ""] += 1
        by_partition[origin.rsplit("/", 1)[0]] += 1
    return {"by_type": by_type, "by_partition": by_partition}


def _type_and_phone(record: ConsumerRecord[bytes, bytes]) -> tuple[str, str]:
    event_type = headers.header(record.headers, "event-type") or ""
    return event_type, (record.key or b"").decode()


def expected_count(window: int) -> int:
    return sum(1 for n in range(MARGIN, MARGIN + window) if picked(*message_kind(n)))


def message_kind(n: int) -> tuple[str, str]:
    return TYPES[n % 4], PHONES[n // 4 % 8]


def cli_args(source: Source, to_topic: str, *, rate: str | None = "1000/s") -> list[str]:
    args = ["replay", "--topic", source.topic, "--since", source.since.isoformat(),
            "--until", source.until.isoformat(), "--type", *PICKED_TYPES,
            "--phone", *PICKED_PHONES, "--to-topic", to_topic]  # fmt: skip
    return [*args, "--rate", rate] if rate else args


def as_lists(counts: Iterable[tuple[str, Counter[str]]]) -> dict[str, dict[str, int]]:
    return {name: dict(sorted(counter.items())) for name, counter in counts}
