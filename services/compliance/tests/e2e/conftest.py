from collections.abc import AsyncIterator

import pytest

from smsbus.runtime.testing import NewTopic, RegistryTopics

from .harness import Stack, running_stack


@pytest.fixture
async def stack(
    database_url: str,
    schema: str,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    registry_topics: RegistryTopics,
) -> AsyncIterator[Stack]:
    async with running_stack(
        database_url=database_url, schema=schema, bootstrap=kafka_bootstrap, new_topic=new_topic,
        registry_topics=registry_topics,
    ) as running:  # fmt: skip
        yield running
