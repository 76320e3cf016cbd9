from functools import partial

import pytest

from smsbus.runtime.testing import StackInfra

from .harness import StartStack, running_stack


@pytest.fixture
def start_stack(stack_infra: StackInfra, schema: str) -> StartStack:
    """`async with start_stack(**options) as stack`: the pipeline (harness.py) on this test's
    schema and topics; `options` are running_stack's (alerts, the simulator's settings)."""
    return partial(running_stack, stack_infra, schema=schema)
