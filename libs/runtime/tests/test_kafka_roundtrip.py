import asyncio

import pytest
from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from smsbus.contracts import Envelope, decode_event
from smsbus.runtime.kafka import publish_event
from smsbus.runtime.testing import NewTopic, unique_name

pytestmark = pytest.mark.integration


async def test_an_envelope_goes_through_the_broker_intact(
    broker: KafkaBroker, new_topic: NewTopic, make_event
) -> None:
    topic = await new_topic(partitions=3)
    received: asyncio.Queue[tuple[Envelope[object], ConsumerRecord[bytes, bytes]]] = asyncio.Queue()

    @broker.subscriber(
        topic,
        group_id=unique_name("roundtrip"),
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
    )
    async def on_event(message: KafkaMessage) -> None:
        record = message.raw_message
        assert isinstance(record, ConsumerRecord)
        received.put_nowait((decode_event(record.value), record))

    await broker.start()
    event = make_event(1, contact_id="CT42")
    ack = await publish_event(broker, event, topic=topic)

    got, record = await asyncio.wait_for(received.get(), timeout=30)
    assert got == event
    assert record.key == b"CT42"
    assert (record.partition, record.offset) == (ack.partition, ack.offset)
    headers = {name: value.decode() for name, value in record.headers}
    assert headers["event-type"] == "contact.updated"
    assert headers["event-id"] == event.event_id
    assert headers["correlation-id"] == "corr-1"
