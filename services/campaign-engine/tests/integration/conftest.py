from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.testing import RegistryTopics

from .rig import Rig, running_rig


@pytest.fixture
async def rig(
    engine: AsyncEngine,
    db_schema: str,
    database_url: str,
    kafka_bootstrap: str,
    registry_topics: RegistryTopics,
) -> AsyncIterator[Rig]:
    """One dispatching engine, the test playing the egress (rig.py)."""
    async with running_rig(
        engine=engine, db_schema=db_schema, database_url=database_url,
        kafka_bootstrap=kafka_bootstrap, registry_topics=registry_topics,
    ) as running:  # fmt: skip
        yield running
