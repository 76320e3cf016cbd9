from functools import partial

import pytest

from smsbus.runtime.testing import RegistryTopics

from .harness import StartStack, running_stack


@pytest.fixture
def start_stack(
    database_url: str, kafka_bootstrap: str, registry_topics: RegistryTopics
) -> StartStack:
    """`async with start_stack(start=…, **compliance) as stack`: the stack (harness.py) on this
    test's topics."""
    return partial(
        running_stack,
        database_url=database_url,
        bootstrap=kafka_bootstrap,
        registry_topics=registry_topics,
    )
