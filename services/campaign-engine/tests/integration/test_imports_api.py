"""POST /v1/contacts/imports through the engine as it serves (uvicorn on loopback, its lifespan's
job runner, real PostgreSQL and Kafka): a 20,000-row CSV with invalid rows and duplicates is
answered 202 at once, its progress polled to 100 %, its counts and first errors exact; then
its contacts, by import id, make a list, join another, and become a campaign's members."""

from __future__ import annotations

import io
import json
from typing import Any

import phonenumbers
import pytest

from .rig import LINE, Rig, eventually

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROWS = 20_000
AREAS = ("212", "312", "617", "404", "713")
INVALID = ("not a phone", "555-01", "+1 011 555 0199", "")


def number(i: int) -> tuple[str, str, str]:
    return AREAS[i % 5], f"{300 + i // 50_000}", f"{i // 5 % 10_000:04d}"


def shaped(parts: tuple[str, str, str], shape: int) -> str:
    area, exchange, line = parts
    return (f"+1{area}{exchange}{line}", f"({area}) {exchange}-{line}", f"{area}.{exchange}.{line}",
            f"1-{area}-{exchange}-{line}")[shape % 4]  # fmt: skip


def audience() -> tuple[str, dict[str, Any]]:
    """The CSV (columns named as a client's export, mapped) and what importing it must give:
    row n is invalid when n % 50 == 7, repeats row n - 1,234's number (written another way)
    when n % 40 == 3, else has number n."""
    lines = ["Given Name,Mobile,Tier"]
    first_line: dict[str, int] = {}
    errors: list[tuple[int, str]] = []
    invalid = 0
    for n in range(ROWS):
        line = n + 2
        if n % 50 == 7:
            lines.append(f"P{n},{INVALID[n % 4]},gold")
            errors.append((line, "invalid"))
            invalid += 1
            continue
        source = n - 1234 if n % 40 == 3 and n >= 1234 and (n - 1234) % 50 != 7 else n
        parts = number(source)
        lines.append(f"P{n},{shaped(parts, n)},{'gold' if n % 3 else ''}")
        e164 = "+1" + "".join(parts)
        assert phonenumbers.is_valid_number(phonenumbers.parse(e164))
        if e164 in first_line:
            errors.append((line, f"duplicate of line {first_line[e164]}"))
        else:
            first_line[e164] = line
    expected = {
        "rows_read": ROWS, "invalid": invalid, "duplicates": len(errors) - invalid,
        "rejected": len(errors), "imported": len(first_line), "created": len(first_line),
        "errors": errors[:100],
    }  # fmt: skip
    return "\n".join(lines) + "\n", expected


async def test_a_20000_row_import_runs_in_the_background_and_its_contacts_are_addressable(
    rig: Rig,
) -> None:
    body, expected = audience()
    files = {"file": ("audience.csv", io.BytesIO(body.encode()), "text/csv")}
    form = {
        "mapping": json.dumps({"Given Name": "first_name", "Mobile": "phone"}),
        "list_name": "spring",
    }
    answer = await rig.api.post("/v1/contacts/imports", files=files, data=form)
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert answer.headers["location"] == f"/v1/contacts/imports/{queued['id']}"
    assert queued["status"] in ("queued", "running")
    assert queued["file_bytes"] == len(body.encode())

    seen: list[float] = []

    async def done() -> dict[str, Any] | None:
        state: dict[str, Any] = (await rig.api.get(answer.headers["location"])).json()
        seen.append(state["percent"])
        return state if state["percent"] == 100 else None

    final = await eventually(done, within=120)
    assert seen == sorted(seen)  # progress never goes back
    assert final["status"] == "succeeded"
    assert final["bytes_read"] == final["file_bytes"]
    assert final["started_at"] is not None
    assert final["finished_at"] >= final["started_at"]
    got = {k: final[k] for k in expected if k != "errors"}
    assert got == {k: v for k, v in expected.items() if k != "errors"}
    reasons = [
        (e["line"], "invalid" if "duplicate" not in e["reason"] else e["reason"])
        for e in final["errors"]
    ]
    assert reasons == expected["errors"]
    listed = (await rig.api.get("/v1/contacts/imports")).json()
    assert [i["id"] for i in listed] == [queued["id"]]

    imported = expected["imported"]
    lists = {row["name"]: row for row in (await rig.api.get("/v1/lists")).json()}
    assert lists["spring"]["id"] == final["list_id"]
    assert lists["spring"]["size"] == imported
    by_id = await rig.api.post("/v1/lists", json={"name": "by import", "import_id": queued["id"]})
    assert by_id.status_code == 201, by_id.text
    assert by_id.json()["size"] == imported

    other = (await rig.api.post("/v1/lists", json={"name": "mixed"})).json()
    some = (await rig.api.get("/v1/contacts", params={"limit": 10})).json()["data"]
    first = await rig.api.post(
        f"/v1/lists/{other['id']}/members", json={"contact_ids": [c["id"] for c in some]}
    )
    assert first.json() == {"added": 10, "duplicates": 0, "missing": []}
    joined = await rig.api.post(
        f"/v1/lists/{other['id']}/members", json={"import_id": queued["id"]}
    )
    assert joined.status_code == 201, joined.text
    assert joined.json() == {"added": imported - 10, "duplicates": 10, "missing": []}

    spec = {
        "name": "spring",
        "line": LINE,
        "variants": [{"name": "A", "template": "Hi {first_name}"}],
    }
    campaign = (await rig.api.post("/v1/campaigns", json=spec)).json()
    added = await rig.api.post(
        f"/v1/campaigns/{campaign['id']}/members", json={"import_id": queued["id"]}
    )
    assert added.status_code == 201, added.text
    assert added.json() == {"added": imported, "duplicates": 0, "missing": []}
    members = await rig.rows(
        "SELECT count(*), count(DISTINCT phone) FROM members WHERE campaign_id = :c",
        c=campaign["id"],
    )
    assert members == [(imported, imported)]
    tiers = await rig.rows("SELECT count(*) FROM contacts WHERE fields->>'tier' = 'gold'")
    assert tiers[0][0] > imported // 2  # the unmapped column kept as a custom field


async def test_an_unfinished_or_unknown_import_is_no_audience_and_bad_forms_are_refused(
    rig: Rig,
) -> None:
    await rig.execute(
        "INSERT INTO contact_imports (id, status, file_bytes, bytes_read, rows_read, imported, "
        "created, invalid, duplicates, errors, heartbeat_at) VALUES "
        "('running-one', 'running', 10, 0, 0, 0, 0, 0, 0, '[]', now() + interval '1 hour')"
    )
    assert (
        await rig.api.post("/v1/lists", json={"name": "x", "import_id": "running-one"})
    ).status_code == 409
    assert (
        await rig.api.post("/v1/lists", json={"name": "x", "import_id": "nope"})
    ).status_code == 422
    dynamic = {"name": "x", "kind": "dynamic", "filter": {"all": []}, "import_id": "running-one"}
    assert (await rig.api.post("/v1/lists", json=dynamic)).status_code == 422
    files = {"file": ("a.csv", io.BytesIO(b"phone\n2125550123\n"), "text/csv")}
    for form in ({"mapping": "[1, 2]"}, {"list_id": "nope"}, {"list_id": "a", "list_name": "b"}):
        refused = await rig.api.post("/v1/contacts/imports", files=files, data=form)
        assert refused.status_code == 422, (form, refused.text)
    assert (await rig.api.get("/v1/contacts/imports/nope")).status_code == 404
