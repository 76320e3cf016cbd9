from collections.abc import AsyncIterator
from functools import partial

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.testing import StackInfra

from .harness import Stack, StartStack, running_stack


@pytest.fixture
def start_stack(stack_infra: StackInfra, schema: str, engine: AsyncEngine) -> StartStack:
    """`async with start_stack(**options) as stack`: the stack (harness.py) on this test's
    schema and topics; `options` are running_stack's (the reconciler's settings, its client)."""
    return partial(running_stack, stack_infra, schema=schema, engine=engine)


@pytest.fixture
async def stack(start_stack: StartStack) -> AsyncIterator[Stack]:
    async with start_stack() as running:
        yield running
