"""One partition's batch of records, handled in one transaction (DESIGN.md §3).

`BatchHandling.handle(records)` returns once every record is handled or dead-lettered, or
raises a transient fault (the caller retries the same records in place):

- records whose `event-type` header names no route are skipped before decoding;
- one transaction: the batch's inbox rows in one statement (`claim_new`), then each new event's
  route in offset order (consecutive events of a `Batched` route in one call), then the outbox
  rows in one insert at commit (outbox.py);
- a poison record (undecodable, invalid, a bug) is found by splitting: at the event whose route
  raised when that is known, else in halves. It alone goes to `<topic>.<group>.dlq` with the
  reason headers, the records before and after it are handled in their own transactions, in
  order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker

from smsbus.contracts import Envelope, dlq_topic
from smsbus.runtime.db import Sessions
from smsbus.runtime.failures import (
    FailedRecord,
    Fault,
    classify,
    dead_letter_headers,
    error_type,
)
from smsbus.runtime.inbox import claim_new
from smsbus.runtime.kafka import HEADER_CORRELATION_ID, HEADER_EVENT_TYPE
from smsbus.runtime.metrics import Metrics
from smsbus.runtime.routes import Batched, Only, Routes, Unit, wants

logger = logging.getLogger(__name__)

Record: TypeAlias = ConsumerRecord[Any, Any]
Decoder = Callable[[bytes], Envelope[Any]]


class EventFailed(Exception):
    """A route raised for the event at `index` of the batch (wraps the route's exception)."""

    def __init__(self, index: int) -> None:
        super().__init__(f"event {index} of the batch failed")
        self.index = index


@dataclass(slots=True)
class Outcome:
    """What became of a batch's records."""

    handled: int = 0
    dead_lettered: int = 0
    skipped: int = 0


@dataclass(kw_only=True)
class BatchHandling:
    broker: KafkaBroker
    sessions: Sessions
    group_id: str
    routes: Routes
    decode: Decoder
    metrics: Metrics | None = None

    async def handle(self, records: Sequence[Record], *, attempt: int = 1) -> Outcome:
        outcome = Outcome()
        routed = [record for record in records if self._is_routed(record)]
        outcome.skipped = len(records) - len(routed)
        await self._split_on_poison(routed, attempt, outcome)
        return outcome

    def _is_routed(self, record: Record) -> bool:
        for name, value in record.headers or ():
            if name == HEADER_EVENT_TYPE:
                return value.decode("utf-8", "replace") in self.routes
        return True  # no type header: decode it and let the envelope say

    async def _split_on_poison(self, records: Sequence[Record], attempt: int, out: Outcome) -> None:
        if not records:
            return
        try:
            out.handled += await self._in_one_transaction(records)
        except Exception as exc:
            if classify(exc) is Fault.TRANSIENT:
                raise
            if len(records) == 1:
                await self._dead_letter(records[0], _cause(exc), attempt)
                out.dead_lettered += 1
                return
            if isinstance(exc, EventFailed):
                await self._split_on_poison(records[: exc.index], attempt, out)
                await self._dead_letter(records[exc.index], _cause(exc), attempt)
                out.dead_lettered += 1
                await self._split_on_poison(records[exc.index + 1 :], attempt, out)
                return
            middle = len(records) // 2
            await self._split_on_poison(records[:middle], attempt, out)
            await self._split_on_poison(records[middle:], attempt, out)

    async def _in_one_transaction(self, records: Sequence[Record]) -> int:
        envelopes: list[Envelope[Any]] = []
        for index, record in enumerate(records):
            try:
                envelopes.append(self.decode(record.value or b""))
            except Exception as exc:
                raise EventFailed(index) from exc
        await handle_in_one_transaction(
            sessions=self.sessions, consumer=self.group_id, routes=self.routes, events=envelopes
        )
        return len(records)

    async def _dead_letter(self, record: Record, exc: BaseException, attempt: int) -> None:
        headers = {name: value.decode("utf-8", "replace") for name, value in record.headers or ()}
        origin = FailedRecord(record.topic, record.partition, record.offset, self.group_id)
        target = dlq_topic(record.topic, self.group_id)
        logger.error(
            "poison event on %s[%d]@%d, sent to %s",
            record.topic,
            record.partition,
            record.offset,
            target,
            exc_info=exc,
        )
        await self.broker.publish(
            record.value,
            topic=target,
            key=record.key,
            headers=headers | dead_letter_headers(origin, exc, attempt),
            correlation_id=headers.get(HEADER_CORRELATION_ID),
        )
        if self.metrics:
            self.metrics.dead_letters.labels(topic=record.topic, error=error_type(exc)).inc()


async def handle_in_one_transaction(
    *, sessions: Sessions, consumer: str, routes: Routes, events: Sequence[Envelope[Any]]
) -> None:
    """The batch's transaction: inbox rows, each new event's route in order, outbox at commit.
    (Tests and tools call it to handle events exactly as the consumer does.)"""
    async with sessions() as session:
        async with session.begin():
            unit = Unit(session)
            wanted = [event for event in events if wants(routes, event)]
            new = await claim_new(session=session, consumer=consumer, envelopes=wanted)
            await _route(routes, events, new, unit)
        unit.run_committed()


async def _route(
    routes: Routes, events: Sequence[Envelope[Any]], new: set[str], unit: Unit
) -> None:
    """Calls each new event's route in order; a `Batched` route gets its run of events."""
    run: list[Envelope[Any]] = []
    run_route: Batched | None = None
    for index, event in enumerate(events):  # index: the event's place in the batch's records
        if event.dedupe_key not in new or not wants(routes, event):
            continue
        new.discard(event.dedupe_key)  # its copy later in the batch is a duplicate
        route = routes[event.type]
        if isinstance(route, Batched):
            if run_route is not None and route is not run_route:
                await run_route.handle(run, unit)
                run = []
            run_route = route
            run.append(event)
            continue
        if run_route is not None:
            await run_route.handle(run, unit)
            run, run_route = [], None
        try:
            await (route.handle(event, unit) if isinstance(route, Only) else route(event, unit))
        except Exception as exc:
            raise EventFailed(index) from exc
    if run_route is not None:
        await run_route.handle(run, unit)


def _cause(exc: BaseException) -> BaseException:
    """The route's own exception, for the dead letter's reason headers."""
    if isinstance(exc, EventFailed) and exc.__cause__ is not None:
        return exc.__cause__
    return exc
