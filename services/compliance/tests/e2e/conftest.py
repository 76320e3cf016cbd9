from collections.abc import AsyncIterator

import pytest

from smsbus.runtime.testing import NewTopic

from .harness import Stack, running_stack


@pytest.fixture
async def stack(
    database_url: str,
    schema: str,
    kafka_bootstrap: str,
    new_topic: NewTopic,
) -> AsyncIterator[Stack]:
    async with running_stack(
        database_url=database_url, schema=schema, bootstrap=kafka_bootstrap, new_topic=new_topic
    ) as running:
        yield running
