from functools import partial

import pytest

from smsbus.runtime.testing import NewTopic, RegistryTopics

from .harness import StartStack, running_stack


@pytest.fixture
def start_stack(
    database_url: str,
    schema: str,
    kafka_bootstrap: str,
    new_topic: NewTopic,
    registry_topics: RegistryTopics,
) -> StartStack:
    """`async with start_stack(**options) as stack`: the pipeline (harness.py) on this test's
    schema and topics; `options` are running_stack's (alerts, the simulator's settings)."""
    return partial(
        running_stack,
        database_url=database_url,
        schema=schema,
        bootstrap=kafka_bootstrap,
        new_topic=new_topic,
        registry_topics=registry_topics,
    )
