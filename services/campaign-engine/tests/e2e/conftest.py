from functools import partial

import pytest

from smsbus.runtime.testing import StackInfra

from .harness import StartStack, running_stack


@pytest.fixture
def start_stack(stack_infra: StackInfra) -> StartStack:
    """`async with start_stack(start=…, **compliance) as stack`: the stack (harness.py) on this
    test's topics."""
    return partial(running_stack, stack_infra)
