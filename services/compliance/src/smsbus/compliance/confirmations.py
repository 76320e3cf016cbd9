"""The reply sender: turns committed reply intents into exactly one text each.

For each due intent, under its advisory lock:
1. an intent decided before its number opted out (a HELP answer, an opt-in confirmation) is
   cancelled: nobody who said stop gets anything but the one opt-out confirmation;
2. an intent already marked `sending` may have reached OpenPhone (a crash, a timeout, a 5xx):
   the message is looked up (line, recipient, text, from just before the last POST) and, if
   found, recorded instead of sent again;
3. `sending` is committed, then the POST; the answer's message id is recorded.
Failures: unknown outcome → stays `sending`, looked up next time; retryable → `pending` with
backoff; refused (4xx) or out of attempts → `failed`. Nothing here blocks the consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from smsbus.compliance.domain.decisions import stale_reply
from smsbus.compliance.observability import ComplianceMetrics
from smsbus.compliance.store import replies as store
from smsbus.contracts.rest import SendMessageRequest
from smsbus.openphone import (
    OpenPhoneClient,
    OpenPhoneException,
    SendOutcomeUnknown,
    is_retryable,
)
from smsbus.runtime.failures import Backoff, error_message

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


REPLY_BACKOFF = Backoff(initial=1.0, maximum=60.0)


@dataclass(frozen=True)
class SenderConfig:
    batch: int = 20
    poll_interval: float = 1.0
    max_attempts: int = 8
    retry: Backoff = REPLY_BACKOFF
    lookup_margin: timedelta = timedelta(minutes=2)
    # A POST cut off by a crash or a timeout may still land at OpenPhone until the client's own
    # timeout (10 s) has passed; "not found" before that proves nothing.
    in_flight_grace: timedelta = timedelta(seconds=15)
    concurrency: int = 4


class ReplySender:
    def __init__(
        self,
        *,
        engine: AsyncEngine,
        client: OpenPhoneClient,
        clock: Clock,
        metrics: ComplianceMetrics | None = None,
        config: SenderConfig | None = None,
    ) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._client = client
        self._clock = clock
        self._metrics = metrics
        self._config = config or SenderConfig()
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(self._config.concurrency)

    def wake(self, *_: object) -> None:
        self._wake.set()

    async def send_due(self) -> int:
        """One pass over the due intents; returns how many ended in a sent message."""
        async with self._engine.connect() as conn:
            ids = await store.due_ids(conn, now=self._clock(), limit=self._config.batch)
        outcomes = await asyncio.gather(
            *(self._one(intent_id) for intent_id in ids), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return sum(1 for outcome in outcomes if outcome == "sent")

    async def run(self) -> None:
        """Sends until cancelled; wakes on NOTIFY from a committed intent or every poll."""
        failures = 0
        listener = await self._listen()
        try:
            while True:
                try:
                    sent = await self.send_due()
                    await self._measure()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failures += 1
                    delay = self._config.retry.delay(failures)
                    logger.warning(
                        "reply sender pass failed; retrying in %.1fs", delay, exc_info=exc
                    )
                    await asyncio.sleep(delay)
                    listener = listener or await self._listen()
                    continue
                failures = 0
                if sent < self._config.batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._config.poll_interval)
                    self._wake.clear()
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.invalidate()
                    await listener.close()

    async def _one(self, intent_id: str) -> str:
        async with self._slots, self._engine.connect() as conn:
            if not await store.try_lock(conn, intent_id=intent_id):
                return "busy"
            try:
                reply = await store.load_open(conn, intent_id=intent_id, now=self._clock())
                outcome = "done" if reply is None else await self._deliver(conn, reply)
            except BaseException:
                await conn.invalidate()  # closing the session releases its lock
                raise
            await store.unlock(conn, intent_id=intent_id)
            if reply is None:
                return outcome
        if self._metrics:
            self._metrics.replies.labels(kind=reply.kind, outcome=outcome).inc()
        return outcome

    async def _deliver(self, conn: AsyncConnection, reply: store.DueReply) -> str:
        suppressed = await store.suppressed_at(conn, phone=reply.phone)
        if stale_reply(reply.kind, reply.created_at, suppressed):  # type: ignore[arg-type]
            reason = "the number opted out after this reply was decided"
            await store.close(conn, intent_id=reply.id, status="cancelled", error=reason)
            return "cancelled"
        request = SendMessageRequest(content=reply.text, from_=reply.line, to=[reply.phone])
        if reply.status == "sending" and reply.send_started_at is not None:
            try:
                found = await self._client.find_sent_message(
                    SendOutcomeUnknown(
                        request=request, sent_at=reply.send_started_at, reason="recovery"
                    ),
                    margin=self._config.lookup_margin,
                )
            except OpenPhoneException as exc:
                return await self._later(conn, reply, "sending", f"lookup failed: {exc}")
            if found is not None:
                await self._sent(conn, reply, found.id, found.created_at)
                return "sent"
            landing_until = reply.send_started_at + self._config.in_flight_grace
            if self._clock() < landing_until:
                await store.retry_later(
                    conn, intent_id=reply.id, status="sending", at=self._clock(),
                    delay=landing_until - self._clock(), error="the last POST may still land",
                )  # fmt: skip
                return "retried"
        if reply.attempts >= self._config.max_attempts:
            error = f"gave up after {reply.attempts} attempts"
            await store.close(conn, intent_id=reply.id, status="failed", error=error)
            return "failed"
        await store.mark_sending(conn, intent_id=reply.id, at=self._clock())
        try:
            message = await self._client.send_message(
                from_=reply.line, to=[reply.phone], content=reply.text
            )
        except SendOutcomeUnknown as exc:
            return await self._later(conn, reply, "sending", str(exc))
        except (OpenPhoneException, ValidationError) as exc:
            if isinstance(exc, OpenPhoneException) and is_retryable(exc):
                return await self._later(conn, reply, "pending", str(exc))
            error = error_message(exc)
            await store.close(conn, intent_id=reply.id, status="failed", error=error)
            logger.error("reply %s refused by OpenPhone: %s", reply.id, error)
            return "failed"
        await self._sent(conn, reply, message.id, message.created_at)
        return "sent"

    async def _sent(
        self, conn: AsyncConnection, reply: store.DueReply, message_id: str, created: datetime
    ) -> None:
        await store.mark_sent(conn, intent_id=reply.id, message_id=message_id, sent_at=created)
        if self._metrics:
            age = (self._clock() - reply.created_at).total_seconds()
            self._metrics.reply_latency.labels(kind=reply.kind).observe(max(age, 0.0))

    async def _later(
        self, conn: AsyncConnection, reply: store.DueReply, status: str, error: str
    ) -> str:
        delay = timedelta(seconds=self._config.retry.delay(reply.attempts + 1))
        await store.retry_later(
            conn, intent_id=reply.id, status=status, at=self._clock(), delay=delay, error=error
        )
        logger.warning("reply %s not sent yet (%s); retrying in %s", reply.id, error, delay)
        return "retried"

    async def _measure(self) -> None:
        if self._metrics:
            async with self._engine.connect() as conn:
                self._metrics.replies_open.set(await store.pending_count(conn))

    async def _listen(self) -> Any:
        """A LISTEN connection (best effort: polling covers its loss)."""
        try:
            conn = await self._engine.connect()
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            if driver is None:
                await conn.close()
                return None
            await driver.add_listener(store.NOTIFY_CHANNEL, self.wake)
            return conn
        except Exception as exc:
            logger.warning("cannot LISTEN for replies (%s); polling", error_message(exc))
            return None
