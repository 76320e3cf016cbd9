"""A quarantined webhook parsed again with today's parsers (`smsbus replay rejected`).

Ingest keeps every authentic body it could not turn into a contract on `ingest.rejected.v1`.
Once the parser or the contract is fixed, this turns such a record into the record ingest would
publish today, byte for byte: same envelope, same topic, key and headers. The body was verified
when it arrived, and only ingest writes that topic, so it is not verified again.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from smsbus.contracts import Envelope, WebhookRejected, route_for
from smsbus.ingest.envelope import webhook_envelope
from smsbus.ingest.parsing import Unparseable, parse_webhook
from smsbus.runtime.failures import error_message
from smsbus.runtime.kafka import OutgoingRecord, outgoing


@dataclass(frozen=True, slots=True)
class StillRejected:
    reason: str
    detail: str


def requeue(
    rejected: Envelope[WebhookRejected], *, topics: Mapping[str, str] | None = None
) -> OutgoingRecord | StillRejected:
    """The record to publish for a quarantined body, or why it still cannot be one.
    `topics` renames registry topics (as ingest's SMSBUS_INGEST_TOPIC_OVERRIDES does)."""
    kept = rejected.data
    body = base64.b64decode(kept.body) if kept.body_encoding == "base64" else kept.body.encode()
    try:
        # recorded_at stays when ingest first received it: the replay changes nothing else.
        envelope: Envelope[Any] = webhook_envelope(
            parse_webhook(body), recorded_at=kept.received_at
        )
        return outgoing(envelope, topic=(topics or {}).get(route_for(envelope.type).topic))
    except Unparseable as exc:
        return StillRejected(exc.reason, exc.detail)
    except Exception as exc:  # what ingest's endpoint quarantines, a replay reports
        return StillRejected("invalid_payload", error_message(exc, limit=500))
