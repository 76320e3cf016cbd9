"""/v1/templates served: a saved template is checked like any template, named by campaign
variants (its body copied in, so an edit changes no campaign already made), versioned by its
edits, archived without losing what it did, and its performance summed over every campaign
variant made from it, in total and per version."""

from __future__ import annotations

from typing import Any

import pytest

from .rig import LINE, START, Rig

pytestmark = pytest.mark.integration

WELCOME = "Hi {first_name|there}, 10% off this week. Reply STOP to opt out"


async def test_a_saved_template_is_named_by_campaigns_and_reports_per_version(rig: Rig) -> None:
    saved = await rig.api.post("/v1/templates", json={"name": "welcome", "body": WELCOME})
    assert saved.status_code == 201, saved.text
    template = saved.json()
    assert (template["version"], template["fields"]) == (1, ["first_name"])
    assert template["performance"]["campaigns"] == 0
    assert template["performance"]["total"]["members"] == 0
    template_id = template["id"]

    first = await _campaign(rig, "first", {"name": "A", "template_id": template_id})
    assert first["variants"][0] == {
        "name": "A", "template": WELCOME, "weight": 1.0,
        "template_id": template_id, "template_version": 1,
    }  # fmt: skip
    assert first["variants"][1] == {"name": "B", "template": "Hello", "weight": 1.0}

    edited = await rig.api.patch(
        f"/v1/templates/{template_id}", json={"body": WELCOME.replace("10%", "20%")}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    unchanged = (await rig.api.get(f"/v1/campaigns/{first['id']}")).json()
    assert unchanged["variants"][0]["template"] == WELCOME  # the campaign kept its copy
    renamed = await rig.api.patch(f"/v1/templates/{template_id}", json={"description": "spring"})
    assert renamed.json()["version"] == 2  # no new body, no new version

    second = await _campaign(rig, "second", {"name": "A", "template_id": template_id})
    assert second["variants"][0]["template_version"] == 2
    await _members(rig, first["id"], "A", sent=10, delivered=10, responded=3, opted_out=1)
    await _members(rig, first["id"], "B", sent=7, delivered=7, responded=7, opted_out=0)
    await _members(rig, second["id"], "A", sent=5, delivered=4, responded=0, opted_out=0)

    performance = (await rig.api.get(f"/v1/templates/{template_id}")).json()["performance"]
    assert performance["campaigns"] == 2
    total = performance["total"]
    assert [total[k] for k in ("members", "sent", "delivered", "failed", "responded")] == [
        15,
        15,
        14,
        1,
        3,
    ]  # variant B (inline) counts for no template
    assert total["responded_rate"] == pytest.approx(3 / 14)
    assert total["delivery_rate"] == pytest.approx(14 / 15)
    low, high = total["responded_ci95"]
    assert low < 3 / 14 < high
    assert performance["by_version"]["1"]["responded"] == 3
    assert performance["by_version"]["1"]["opted_out_rate"] == pytest.approx(0.1)
    assert performance["by_version"]["2"]["failed"] == 1
    assert [(u["campaign_name"], u["variant"], u["version"]) for u in performance["uses"]] == [
        ("first", "A", 1),
        ("second", "A", 2),
    ]


async def test_a_template_is_checked_unique_while_live_and_archived_without_loss(
    rig: Rig,
) -> None:
    body = {"name": "reminder", "body": "See you soon, {first_name}"}
    template_id = (await rig.api.post("/v1/templates", json=body)).json()["id"]
    taken = await rig.api.post("/v1/templates", json=body)
    assert taken.status_code == 409, taken.text
    broken = await rig.api.post("/v1/templates", json={"name": "x", "body": "Hi {first_name"})
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["loc"] == ["body", "body"]
    unknown = await rig.api.post("/v1/templates", json={"name": "y", "body": "{shoe_size}"})
    assert unknown.status_code == 422, unknown.text
    assert (await rig.api.get("/v1/templates/nope")).status_code == 404

    archived = await rig.api.delete(f"/v1/templates/{template_id}")
    assert archived.status_code == 200
    assert archived.json()["archived_at"] is not None
    assert template_id not in [t["id"] for t in (await rig.api.get("/v1/templates")).json()]
    listed = (await rig.api.get("/v1/templates", params={"archived": "true"})).json()
    assert template_id in [t["id"] for t in listed]
    refused = await rig.api.patch(f"/v1/templates/{template_id}", json={"name": "again"})
    assert refused.status_code == 409
    named = await rig.api.post(
        "/v1/campaigns",
        json={"name": "c", "line": LINE, "variants": [{"name": "A", "template_id": template_id}]},
    )
    assert named.status_code == 422
    assert named.json()["detail"][0]["msg"] == "the template is archived"
    assert (await rig.api.post("/v1/templates", json=body)).status_code == 201  # name freed

    for variant in ({"name": "A"}, {"name": "A", "template": "Hi", "template_id": template_id}):
        spec = {"name": "c", "line": LINE, "variants": [variant]}
        assert (await rig.api.post("/v1/campaigns", json=spec)).status_code == 422, variant


async def _campaign(rig: Rig, name: str, library_variant: dict[str, Any]) -> dict[str, Any]:
    variants = [library_variant, {"name": "B", "template": "Hello"}]
    created = await rig.api.post(
        "/v1/campaigns", json={"name": name, "line": LINE, "variants": variants}
    )
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return answer


async def _members(
    rig: Rig, campaign_id: str, variant: str, *, sent: int, delivered: int, responded: int,
    opted_out: int,
) -> None:  # fmt: skip
    """`sent` members of a variant: the first `delivered` delivered, the rest failed; of those
    delivered, the first `responded` replied and the first `opted_out` opted out."""
    await rig.execute(
        "INSERT INTO members (id, campaign_id, contact_id, phone, variant, status, attempts, "
        "recovered, sent_at, delivered_at, responded_at, opted_out_at) "
        "SELECT :p || i, :c, :p || i, :p || i, :v, "
        "CASE WHEN i <= :d THEN 'delivered' ELSE 'failed' END, 1, false, :at, "
        "CASE WHEN i <= :d THEN CAST(:at AS timestamptz) END, "
        "CASE WHEN i <= :r THEN CAST(:at AS timestamptz) END, "
        "CASE WHEN i <= :o THEN CAST(:at AS timestamptz) END "
        "FROM generate_series(1, :n) AS i",
        p=f"{variant}{campaign_id[:8]}-", c=campaign_id, v=variant, n=sent, d=delivered,
        r=responded, o=opted_out, at=START,
    )  # fmt: skip
