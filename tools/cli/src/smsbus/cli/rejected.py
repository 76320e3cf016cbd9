"""`smsbus replay rejected`: quarantined webhooks back onto their topics once they parse.

Each record of `ingest.rejected.v1` not looked at yet is parsed again with today's parsers
(`smsbus.ingest.requeue`); what parses now is published (acks=all) exactly as ingest would have
published it, what still does not is reported. Either way the record is then done for the
replay group: a body that still fails does not block the ones after it, and `--from-beginning`
looks at every record again (a re-published event has the same dedupe key, so consumers skip
what they already have).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from aiokafka import AIOKafkaProducer

from smsbus.cli.topic_reader import (
    REPLAYED_FROM_HEADER,
    location,
    mark_done,
    partitions,
    pending,
    republishing,
)
from smsbus.contracts import Envelope, WebhookRejected, decode_event
from smsbus.ingest.requeue import StillRejected, requeue
from smsbus.runtime.failures import error_message
from smsbus.runtime.kafka import HEADER_CORRELATION_ID, record_headers

REJECTED_TOPIC: Final = "ingest.rejected.v1"
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
) -> list[Outcome]:
    """`topics` renames registry topics, the rejected one included (tests, side stacks)."""
    source = (topics or {}).get(REJECTED_TOPIC, REJECTED_TOPIC)
    outcomes = []
    async with republishing(bootstrap, REPLAY_GROUP, client_id="smsbus-replay") as (
        consumer,
        producer,
    ):
        parts = await partitions(bootstrap, source)
        records = pending(consumer, parts, limit=limit, from_beginning=from_beginning)
        async for stored in records:
            where = location(stored)
            try:
                rejected = decode_event(stored.value or b"")
            except (ValueError, KeyError) as exc:  # not a webhook.rejected envelope at all
                outcome = Outcome(where, "unreadable", None, None, error_message(exc, limit=300))
            else:
                if isinstance(rejected.data, WebhookRejected):
                    outcome = await _requeue(producer, rejected, where, topics, dry_run=dry_run)
                else:
                    outcome = Outcome(
                        where, "unreadable", rejected.type, None, "not webhook.rejected"
                    )
            if not dry_run:
                await mark_done(consumer, stored)
            outcomes.append(outcome)
    return outcomes


async def _requeue(
    producer: AIOKafkaProducer,
    rejected: Envelope[WebhookRejected],
    where: str,
    topics: Mapping[str, str] | None,
    *,
    dry_run: bool,
) -> Outcome:
    result = requeue(rejected, topics=topics)
    kept = rejected.data
    if isinstance(result, StillRejected):
        return Outcome(
            where, kept.reason, kept.event_type, None, f"{result.reason}: {result.detail}"
        )
    if not dry_run:
        headers = record_headers(result, result.headers[HEADER_CORRELATION_ID])
        headers.append((REPLAYED_FROM_HEADER, where.encode()))
        await producer.send_and_wait(result.topic, result.value, key=result.key, headers=headers)
    return Outcome(where, kept.reason, kept.event_type, result.topic)
