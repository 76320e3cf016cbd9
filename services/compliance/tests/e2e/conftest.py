from collections.abc import AsyncIterator

import pytest

from smsbus.runtime.testing import StackInfra

from .harness import Stack, running_stack


@pytest.fixture
async def stack(stack_infra: StackInfra, schema: str) -> AsyncIterator[Stack]:
    async with running_stack(stack_infra, schema=schema) as running:
        yield running
