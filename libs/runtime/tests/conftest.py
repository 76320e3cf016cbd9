from collections.abc import AsyncIterator, Callable

import pytest
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import Contact, Envelope
from smsbus.runtime.db import create_tables
from smsbus.runtime.inbox import ProcessedEvent
from smsbus.runtime.kafka import make_broker
from smsbus.runtime.outbox import OutboxMessage
from smsbus.runtime.testing_kafka import contact_event

EventFactory = Callable[..., Envelope[Contact]]


@pytest.fixture
def make_event() -> EventFactory:
    return contact_event


@pytest.fixture
async def broker(kafka_bootstrap: str) -> AsyncIterator[KafkaBroker]:
    """A broker for publishing; tests that subscribe register first, then `await broker.start()`."""
    instance = make_broker(kafka_bootstrap, client_id="runtime-tests", graceful_timeout=5.0)
    yield instance
    await instance.stop()


@pytest.fixture
async def runtime_tables(db_engine: AsyncEngine) -> AsyncEngine:
    await create_tables(
        db_engine,
        [ProcessedEvent.__table__, OutboxMessage.__table__],  # type: ignore[attr-defined]
    )
    return db_engine
