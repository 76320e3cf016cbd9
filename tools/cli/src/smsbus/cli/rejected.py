"""`smsbus replay rejected`: quarantined webhooks back onto their topics once they parse.

Each record of `ingest.rejected.v1` not looked at yet is parsed again with today's parsers
(`smsbus.ingest.requeue`); what parses now is published (acks=all) exactly as ingest would have
published it, what still does not is reported. Either way the record is then done for the
replay group: a body that still fails does not block the ones after it, and `--from-beginning`
looks at every record again (a re-published event has the same dedupe key, so consumers skip
what they already have).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from aiokafka import AIOKafkaProducer

from smsbus.cli.replay import headers
from smsbus.cli.replay.pacing import Pacer
from smsbus.cli.topic_reader import (
    location,
    mark_done,
    partitions,
    pending_spans,
    read_spans,
    republishing,
    total,
)
from smsbus.contracts import Envelope, WebhookRejected, decode_event, route_for
from smsbus.ingest.requeue import StillRejected, requeue
from smsbus.runtime.failures import error_message
from smsbus.runtime.kafka import HEADER_CORRELATION_ID, record_headers

REJECTED_TOPIC: Final = route_for("webhook.rejected").topic
REPLAY_GROUP: Final = "smsbus-rejected-replay"


@dataclass(frozen=True, slots=True)
class Outcome:
    where: str
    """`topic/partition/offset` of the quarantined record."""
    rejected_for: str
    event_type: str | None
    published_to: str | None
    """The topic it went to, or None: it still does not parse."""
    still: str = ""
    """Why not, when it still does not parse."""

    def summary(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "rejected_for": self.rejected_for,
            "event_type": self.event_type,
            "published_to": self.published_to,
            "still": self.still,
        }


async def replay_rejected(
    bootstrap: str,
    *,
    limit: int | None = None,
    from_beginning: bool = False,
    dry_run: bool = False,
    topics: Mapping[str, str] | None = None,
    pacer: Pacer | None = None,
    sized: Callable[[int], None] | None = None,
) -> AsyncIterator[Outcome]:
    """Yields each quarantined record's outcome as it is done. `topics` renames registry
    topics, the rejected one included (tests, side stacks); `sized` hears how many first."""
    source = (topics or {}).get(REJECTED_TOPIC, REJECTED_TOPIC)
    async with republishing(bootstrap, REPLAY_GROUP, client_id="smsbus-replay") as (
        consumer,
        producer,
    ):
        parts = await partitions(bootstrap, source)
        spans = await pending_spans(consumer, parts, from_beginning=from_beginning)
        if sized is not None:
            sized(total(spans, limit))
        async for stored in read_spans(consumer, spans, limit=limit):
            where = location(stored)
            try:
                rejected = decode_event(stored.value or b"")
            except (ValueError, KeyError) as exc:  # not a webhook.rejected envelope at all
                outcome = Outcome(where, "unreadable", None, None, error_message(exc, limit=300))
            else:
                if isinstance(rejected.data, WebhookRejected):
                    outcome = await _requeue(
                        producer, rejected, where, topics, dry_run=dry_run, pacer=pacer
                    )
                else:
                    outcome = Outcome(
                        where, "unreadable", rejected.type, None, "not webhook.rejected"
                    )
            if not dry_run:
                await mark_done(consumer, stored)
            yield outcome


async def _requeue(
    producer: AIOKafkaProducer,
    rejected: Envelope[WebhookRejected],
    where: str,
    topics: Mapping[str, str] | None,
    *,
    dry_run: bool,
    pacer: Pacer | None,
) -> Outcome:
    result = requeue(rejected, topics=topics)
    kept = rejected.data
    if isinstance(result, StillRejected):
        return Outcome(
            where, kept.reason, kept.event_type, None, f"{result.reason}: {result.detail}"
        )
    if not dry_run:
        if pacer is not None and (delay := pacer.book(time.monotonic())):
            await asyncio.sleep(delay)
        written = record_headers(result, result.headers[HEADER_CORRELATION_ID])
        marked = headers.replayed(written, source=where, at=datetime.now(UTC))
        await producer.send_and_wait(result.topic, result.value, key=result.key, headers=marked)
    return Outcome(where, kept.reason, kept.event_type, result.topic)
