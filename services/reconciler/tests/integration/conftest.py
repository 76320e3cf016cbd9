from collections.abc import AsyncIterator
from functools import partial

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.testing import NewTopic, RegistryTopics

from .harness import Stack, StartStack, running_stack


@pytest.fixture
def start_stack(
    database_url: str,
    schema: str,
    engine: AsyncEngine,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    registry_topics: RegistryTopics,
) -> StartStack:
    """`async with start_stack(**options) as stack`: the stack (harness.py) on this test's
    schema and topics; `options` are running_stack's (the reconciler's settings, its client)."""
    return partial(
        running_stack, database_url=database_url, schema=schema, engine=engine,
        bootstrap=kafka_bootstrap, new_topic=new_topic, registry_topics=registry_topics,
    )  # fmt: skip


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack() as running:
        yield running
