"""What the modules that start a stack of their own (cluster_stack.py) share: each names its
stack in a module-scoped `stack_config` fixture; `stack` connects it in each test's loop."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from smsbus.cli.stack.config import StackConfig

from .cluster_stack import ClusterStack, connect


@pytest.fixture
async def stack(stack_config: StackConfig) -> AsyncIterator[ClusterStack]:
    async with connect(stack_config) as connected:
        yield connected
