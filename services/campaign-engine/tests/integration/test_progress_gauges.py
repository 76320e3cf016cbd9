"""The dashboard's campaign panels read gauges measured from the shared tables: members per
variant and state, and each running campaign's daily limit beside what today used of it."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from .rig import Rig, eventually

pytestmark = pytest.mark.integration

PHONES = ["+12125550143", "+13125550144", "+16175550145", "+12125550146"]


async def test_the_gauges_show_each_variant_s_members_and_today_s_use_of_the_limit(
    rig: Rig,
) -> None:
    campaign_id = await rig.campaign(PHONES, daily_limit=3, name="spring")
    await rig.requested(3)  # the fourth waits for tomorrow
    await rig.execute(
        "UPDATE members SET sent_at = intent_at, delivered_at = intent_at, "
        "responded_at = CASE WHEN id = (SELECT min(id) FROM members WHERE status = 'sending') "
        "THEN intent_at END WHERE status = 'sending'"
    )  # which three were sent is the dispatcher's choice: one of them replied

    async def measured() -> dict[tuple[str, ...], float] | None:
        found = await _gauges(rig, campaign_id)
        return found if found.get(("members", "A", "sent")) == 3 else None

    gauges = await eventually(measured)
    # The three sent are still `sending` (no answer from the egress yet): they wait too.
    assert gauges[("members", "A", "waiting")] == 4
    assert gauges[("members", "A", "sent")] == 3
    assert gauges[("members", "A", "delivered")] == 3
    assert gauges[("members", "A", "responded")] == 1
    assert gauges[("members", "A", "skipped")] == 0
    assert (gauges[("daily_used",)], gauges[("daily_limit",)]) == (3, 3)


async def _gauges(rig: Rig, campaign_id: str) -> dict[tuple[str, ...], float]:
    """(kind, variant, state) → value of this campaign's progress gauges."""
    found: dict[tuple[str, ...], float] = {}
    exposition = (await rig.api.get("/metrics")).text
    for family in text_string_to_metric_families(exposition):
        kind = family.name.removeprefix("smsbus_campaign_engine_campaign_")
        for sample in family.samples:
            if sample.labels.get("campaign") != campaign_id:
                continue
            assert sample.labels["name"] == "spring"
            labels = sample.labels
            where = (labels["variant"], labels["state"]) if "state" in labels else ()
            found[(kind, *where)] = sample.value
    return found
