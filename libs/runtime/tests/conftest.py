from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import Contact, Envelope, make_envelope
from smsbus.runtime.db import create_tables
from smsbus.runtime.inbox import ProcessedEvent
from smsbus.runtime.kafka import make_broker
from smsbus.runtime.outbox import OutboxMessage

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

EventFactory = Callable[..., Envelope[Contact]]


def contact_event(
    n: int, *, contact_id: str = "CT1", correlation_id: str | None = "corr-1"
) -> Envelope[Contact]:
    """`contact.updated` number n about one contact (the partition key is the contact id)."""
    return make_envelope(
        Contact(id=contact_id, created_at=FIXED, first_name=f"v{n}"),
        event_type="contact.updated",
        event_id=f"EV{n:04d}-{contact_id}",
        object_id=f"{contact_id}-{n}",
        source="runtime-tests",
        occurred_at=FIXED,
        recorded_at=FIXED,
        correlation_id=correlation_id,
    )


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
