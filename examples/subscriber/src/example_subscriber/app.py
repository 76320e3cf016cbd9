"""The subscriber: one FastStream handler on `openphone.messages.v1`.

The payload type is the contracts' envelope of a Message, so FastStream validates every record
against the published contract and its AsyncAPI document (`faststream docs gen`) shows that
schema. Offsets are committed after the handler returns (at least once); an exception leaves the
record to be read again (`NACK_ON_ERROR`), so fix the cause or dead-letter it yourself.

    python -m example_subscriber          # SUBSCRIBER_KAFKA_BOOTSTRAP, SUBSCRIBER_TOPIC, …
"""

from __future__ import annotations

import logging

from faststream import AckPolicy, FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from example_subscriber.settings import Settings
from example_subscriber.store import Store
from smsbus.contracts import Envelope, Message

logger = logging.getLogger("example_subscriber")

MessageEvent = Envelope[Message]
"""What every record of openphone.messages.v1 carries: message.received, .delivered, .failed,
.undelivered (the type is in the envelope and in the `event-type` header)."""


def create_app(settings: Settings, store: Store) -> FastStream:
    broker = KafkaBroker(settings.kafka_bootstrap, client_id=settings.group_id)

    @broker.subscriber(
        settings.topic,
        group_id=settings.group_id,
        auto_offset_reset="earliest",  # a new group starts with what the topic still holds
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title="openphone.messages.v1",
        description="Texts to and from our numbers, one envelope per fact.",
    )
    async def on_message(event: MessageEvent) -> None:
        if store.handle_once(event):
            logger.info("%s %s from …%s", event.type, event.data.id, event.data.from_[-4:])
        else:
            logger.info("%s again (dedupe key %s): skipped", event.type, event.dedupe_key)

    return FastStream(
        broker,
        specification=AsyncAPI(title="example subscriber", schema_version="3.0.0"),
    )
