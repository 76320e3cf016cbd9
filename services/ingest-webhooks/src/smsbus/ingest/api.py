"""POST /webhooks/openphone: read the raw body (bounded), verify, parse, publish, answer.

| what came in                                   | answer                                   |
|------------------------------------------------|------------------------------------------|
| body over `max_body`                           | 413, nothing read further                |
| missing / malformed / wrong / stale signature  | 401 {"error", "reason", "detail"}        |
| authentic, parsed                              | 202 {"event_id", "topic", "dedupe_key"}  |
| authentic, not parseable into a contract       | 202 {"quarantined": true, "reason"}      |
| broker down or slower than `publish_timeout`   | 503 + Retry-After (OpenPhone retries)    |
| fewer in-sync replicas than min.insync.replicas| 503 + Retry-After (as a slow broker)     |
| more than `max_in_flight` requests at once     | 503 + Retry-After                        |

A 202 is sent only after the broker acknowledged the write (acks=all): the event is on
min.insync.replicas brokers at least. A partition with fewer in-sync replicas answers
NOT_ENOUGH_REPLICAS, which the idempotent producer retries (it never expires a batch), so the
webhook waits out `publish_timeout` and gets 503; the producer's retry may still land later, a
duplicate that consumers drop (tests-e2e/test_cluster_in_sync_replicas.py).
The content type is not checked: the signature covers the bytes, not the header, and refusing
an authentic webhook for a header would lose it.

This is the hot path, so it is a plain ASGI endpoint on the FastAPI app: no request object, no
dependency solving, no response class between the bytes and the broker (bench/README.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

from faststream.kafka import KafkaBroker
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from smsbus.contracts import Envelope, route_for
from smsbus.ingest.deadlines import Deadlines
from smsbus.ingest.envelope import rejected_envelope, webhook_envelope
from smsbus.ingest.metrics import IngestMetrics
from smsbus.ingest.parsing import WEBHOOK_TYPES, Unparseable, parse_webhook
from smsbus.ingest.settings import Settings
from smsbus.openphone.signing import Scheme, SignatureError, SigningKey, verify
from smsbus.runtime.failures import error_message
from smsbus.runtime.kafka import HEADER_EVENT_ID, OutgoingRecord, outgoing, send_record

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/openphone"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content: Mapping[str, Any]
    type_label: str
    """The event type for metrics: a registry type, or "unknown"."""
    outcome: str
    retry_after: int | None = None


class ClientGone(Exception):
    """The client disconnected before sending the whole body: nobody to answer."""


@dataclass
class WebhookIngest:
    """The ASGI endpoint and everything it needs, built by the composition root (app.py)."""

    broker: KafkaBroker
    keys: Sequence[SigningKey]
    settings: Settings
    metrics: IngestMetrics
    clock: Callable[[], float]
    in_flight: int = field(default=0, init=False)
    deadlines: Deadlines = field(init=False)

    def __post_init__(self) -> None:
        self.metrics.in_flight.set_function(lambda: self.in_flight)  # read when scraped
        self.deadlines = Deadlines(self.settings.publish_timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = perf_counter()
        if self.in_flight >= self.settings.max_in_flight:
            answer = self._unavailable("overloaded", UNKNOWN, "overloaded")
        else:
            self.in_flight += 1
            try:
                answer = await self._handle(scope, receive)
            except ClientGone:
                return
            finally:
                self.in_flight -= 1
        await respond(send, answer)
        self.metrics.answered(answer.type_label, answer.outcome, perf_counter() - started)

    async def _handle(self, scope: Scope, receive: Receive) -> Answer:
        # ASGI servers lower-case header names, which is what verify() expects.
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        body = await read_body(receive, headers, self.settings.max_body)
        if body is None:
            self.metrics.body_size.observe(self.settings.max_body)
            detail = f"the body exceeds {self.settings.max_body} bytes"
            return Answer(413, {"error": "body_too_large", "detail": detail}, UNKNOWN, "too_large")
        self.metrics.body_size.observe(len(body))
        try:
            scheme = verify(
                body,
                headers,
                self.keys,
                now=self.clock(),
                tolerance=self.settings.signature_tolerance,
            )
        except SignatureError as exc:
            self.metrics.signature_failures.labels(exc.failure.value).inc()
            logger.info("webhook refused: %s (%s)", exc.failure.value, exc.detail)
            refusal = {"error": "invalid_signature", "reason": exc.failure.value}
            return Answer(401, refusal | {"detail": exc.detail}, UNKNOWN, "unauthorized")
        received_at = datetime.fromtimestamp(self.clock(), UTC)
        parsed = None
        try:
            parsed = parse_webhook(body)
            envelope: Envelope[Any] = webhook_envelope(parsed, recorded_at=received_at)
            # Encoded here, not when publishing: an event that cannot be written (a lone
            # surrogate escape in its text, say) is quarantined rather than refused forever.
            record = outgoing(envelope, topic=self._topic(envelope.type))
        except Unparseable as exc:
            return await self._quarantine(body, headers, scheme, exc, received_at)
        except Exception as exc:  # a payload our own code chokes on is still kept, never lost
            logger.exception("webhook could not be enveloped")
            failure = Unparseable("invalid_payload", error_message(exc, limit=500))
            if parsed is not None:
                failure.event_type, failure.event_id = parsed.event_type, parsed.event_id
            return await self._quarantine(body, headers, scheme, failure, received_at)
        if not await self._publish(record):
            return self._unavailable("broker_unavailable", envelope.type, "unavailable")
        answer = {
            "event_id": envelope.event_id,
            "topic": record.topic,
            "dedupe_key": envelope.dedupe_key,
        }
        return Answer(202, answer, envelope.type, "published")

    async def _quarantine(
        self,
        body: bytes,
        headers: Mapping[str, str],
        scheme: Scheme,
        failure: Unparseable,
        received_at: datetime,
    ) -> Answer:
        type_label = failure.event_type if failure.event_type in WEBHOOK_TYPES else UNKNOWN
        envelope = rejected_envelope(
            body=body,
            reason=failure.reason,
            detail=failure.detail,
            event_type=failure.event_type,
            event_id=failure.event_id,
            headers=headers,
            scheme=scheme,
            received_at=received_at,
        )
        logger.warning(
            "webhook quarantined: %s: %s",
            failure.reason,
            failure.detail,
            extra={"event_id": envelope.event_id},
        )
        if not await self._publish(outgoing(envelope, topic=self._topic(envelope.type))):
            return self._unavailable("broker_unavailable", type_label, "unavailable")
        answer = {"quarantined": True, "reason": failure.reason}
        return Answer(202, answer, type_label, "quarantined")

    async def _publish(self, record: OutgoingRecord) -> bool:
        started = perf_counter()
        wait = self.deadlines.start()  # publish_timeout, one timer for all (deadlines.py)
        try:
            await send_record(self.broker, record)
        except asyncio.CancelledError:
            if not self.deadlines.expired(wait):
                raise
            timeout = TimeoutError(f"no ack within {self.deadlines.timeout}s")
            return self._publish_failed(record, started, timeout)
        except Exception as exc:  # whatever it was, the event is not durable: 503, retried later
            return self._publish_failed(record, started, exc)
        finally:
            self.deadlines.finish(wait)
        self.metrics.published(record.topic, perf_counter() - started)
        return True

    def _publish_failed(self, record: OutgoingRecord, started: float, exc: BaseException) -> bool:
        logger.warning(
            "publish to %s failed after %.3fs: %s: %s",
            record.topic,
            perf_counter() - started,
            type(exc).__name__,
            error_message(exc, limit=300),
            extra={"event_id": record.headers.get(HEADER_EVENT_ID)},
        )
        return False

    def _topic(self, event_type: str) -> str:
        topic = route_for(event_type).topic
        return self.settings.topic(topic)

    def _unavailable(self, error: str, type_label: str, outcome: str) -> Answer:
        retry_after = self.settings.retry_after
        content = {"error": error, "retry_after": retry_after}
        return Answer(503, content, type_label, outcome, retry_after=retry_after)


async def read_body(receive: Receive, headers: Mapping[str, str], limit: int) -> bytes | None:
    """The raw body, or None as soon as it is known to exceed `limit` bytes."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


# One encoder for every answer: json.dumps with options builds a new one per call.
_encode_json = json.JSONEncoder(separators=(",", ":")).encode


async def respond(send: Send, answer: Answer) -> None:
    content = _encode_json(answer.content).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
    ]
    if answer.retry_after is not None:
        headers.append((b"retry-after", str(answer.retry_after).encode()))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def webhook_route(ingest: WebhookIngest) -> Route:
    """POST only (Starlette answers 405 to anything else); `ingest` is a plain ASGI app."""
    return Route(WEBHOOK_PATH, endpoint=ingest, methods=["POST"])
