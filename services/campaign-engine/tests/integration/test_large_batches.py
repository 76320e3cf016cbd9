"""Audiences larger than one statement's parameters (PostgreSQL takes at most 32,767)."""

import pytest

from smsbus.campaigns.store import contacts as store
from smsbus.runtime.db import Sessions

pytestmark = pytest.mark.integration

IDS = [f"c{i}" for i in range(40_000)]


async def test_contacts_by_id_and_list_membership_take_100k_scale_id_lists(
    sessions: Sessions,
) -> None:
    async with sessions() as session, session.begin():
        assert await store.contacts_by_id(session=session, ids=IDS) == []
        listed = await store.create_list(
            session=session, list_id="L1", name="big", kind="static", spec=None
        )
        assert (
            await store.add_to_list(session=session, list_id=listed.id, contact_ids=IDS) == 40_000
        )
