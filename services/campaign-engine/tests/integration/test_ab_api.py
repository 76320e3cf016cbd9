"""GET /v1/campaigns/{id}/ab served, for a campaign of three variants: the issue's A 10 %,
B 15.0 %, C 14.9 % names no winner and says which pairs differ and what B vs C still needs."""

from __future__ import annotations

import pytest

from .rig import LINE, START, Rig

pytestmark = pytest.mark.integration

DELIVERED = 20_000
RESPONDED = {"A": 2000, "B": 3000, "C": 2980}


async def test_three_variants_no_winner_between_b_and_c(rig: Rig) -> None:
    spec = {
        "name": "three",
        "line": LINE,
        "variants": [{"name": name, "template": f"Hi {name}"} for name in RESPONDED],
    }
    created = await rig.api.post("/v1/campaigns", json=spec)
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    for variant, responded in RESPONDED.items():  # delivered members, the first ones responded
        await rig.execute(
            "INSERT INTO members (id, campaign_id, contact_id, phone, variant, status, attempts, "
            "recovered, sent_at, delivered_at, responded_at) "
            "SELECT :v || i, :c, :v || i, :v || i, :v, 'delivered', 1, false, :at, :at, "
            "CASE WHEN i <= :r THEN CAST(:at AS timestamptz) END "
            "FROM generate_series(1, :n) AS i",
            v=variant, c=campaign_id, r=responded, n=DELIVERED, at=START,
        )  # fmt: skip

    body = (await rig.api.get(f"/v1/campaigns/{campaign_id}/ab")).json()

    assert (body["status"], body["winner"]) == ("no_winner", None)
    assert body["correction"] == "yates per pair, holm-bonferroni across pairs"
    pairs = {(c["a"], c["b"]): c for c in body["comparisons"]}
    assert {pair: c["better"] for pair, c in pairs.items()} == {
        ("A", "B"): "B",
        ("A", "C"): "C",
        ("B", "C"): None,
    }
    assert pairs[("B", "C")]["p_adjusted"] > 0.05
    assert pairs[("B", "C")]["still_needed_per_variant"] > 2_000_000
    assert body["still_needed_per_variant"] == pairs[("B", "C")]["still_needed_per_variant"]
    assert [arm["delivered"] for arm in body["arms"]] == [DELIVERED] * 3
    # How large each difference is, and how sure: A vs B excludes 0, B vs C straddles it.
    a_b, b_c = pairs[("A", "B")], pairs[("B", "C")]
    assert a_b["difference"] == pytest.approx(-0.05)
    assert a_b["difference_interval"]["high"] < 0 < b_c["difference_interval"]["high"]
    assert b_c["difference_interval"]["low"] < 0
    assert a_b["effect_size"] == pytest.approx(-0.1519, abs=1e-4)
