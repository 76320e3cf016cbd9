"""Consent imports through the API against a real PostgreSQL: 202 at once, then the job polled
to its end; what the ledger, the outbox and eligibility say afterwards; bad files."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.contracts import decode_event
from smsbus.runtime.testing_api import CRM_TOKEN

from .conftest import ApiAt, finished_job

pytestmark = pytest.mark.integration

CRM = {"Authorization": f"Bearer {CRM_TOKEN}"}
HEADER = "phone,consent,consent_source,consent_at,consent_text,ref\n"
AGREED = "I agree to receive marketing texts from Acme Fences"


MIXED = [
    f"(415) 555-0101,express,web form /signup,2026-01-10T09:30:00-05:00,{AGREED},crm-1",
    "+14155550102,IMPLIED,purchase #88,2026-01-11,,crm-2",
    "4155550103,revoked,paper form,2026-01-12 10:00,,crm-3",
    "4155550104,none,,,,crm-4",
    f"4155550105,express,web form,2026-01-10,{AGREED},crm-5",
    "not-a-phone,express,web,2026-01-10,x,crm-6",
    "4155550107,yes,web,2026-01-10,x,crm-7",
    "4155550108,express,,2026-01-10,x,crm-8",
    "4155550109,express,web,,x,crm-9",
    "4155550110,express,web,10/01/2026,x,crm-10",
    "4155550111,express,web,2026-12-31,x,crm-11",
    "4155550112,express,web,2026-01-10,,crm-12",
    f"415-555-0101,express,kiosk,2026-01-13,{AGREED},crm-13",
    "4155550114,express,web,2026-01-10,x,crm-14,one too many",
]
"""Line 2 on: what each row must come to is in the test below."""


@pytest.fixture
async def api(api_at: ApiAt) -> AsyncIterator[httpx.AsyncClient]:
    async with api_at(consent_import_chunk=3) as client:  # several chunks even for a small file
        yield client


async def imported(
    api: httpx.AsyncClient, body: str, *, scope: str | None = None, headers: Any = None
) -> dict[str, Any]:
    """POSTs the file, then polls the import it started until it ends."""
    answer = await api.post(
        "/v1/consent/imports",
        files={"file": ("consent.csv", body.encode(), "text/csv")},
        data={"scope": scope} if scope else {},
        headers=headers,
    )
    return await finished_job(api, answer, "/v1/consent/imports")


async def revoke(api: httpx.AsyncClient, phone: str, scope: str = "all") -> None:
    body = {"phone": phone, "source": "manual", "action": "revoked", "scope": scope}
    assert (await api.post("/v1/consent", json=body)).status_code == 201


async def consent_events(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        values = (await conn.execute(text("SELECT value FROM outbox ORDER BY id"))).scalars()
        return [decode_event(value) for value in values]


async def test_each_row_is_recorded_with_its_evidence_or_refused_with_its_reason(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    await revoke(api, "+14155550105")  # said STOP before: the file's express grant must not win
    body = HEADER + "\n".join(MIXED) + "\n"

    job = await imported(api, body, headers=CRM)

    counts = ("status", "rows_read", "numbers", "applied", "granted", "revoked", "no_consent",
              "kept_opted_out", "refused", "percent", "actor", "scope")  # fmt: skip
    assert {k: job[k] for k in counts} == {
        "status": "succeeded", "rows_read": 14, "numbers": 5, "applied": 5, "granted": 2,
        "revoked": 1, "no_consent": 1, "kept_opted_out": 1, "refused": 10, "percent": 100.0,
        "actor": "crm", "scope": "all",
    }  # fmt: skip
    assert [(r["line"], r["reason"], r["ref"]) for r in job["refused_rows"]] == [
        (6, "opted_out", "crm-5"),
        (7, "invalid_phone", "crm-6"),
        (8, "invalid_consent", "crm-7"),
        (9, "missing_consent_source", "crm-8"),
        (10, "missing_consent_at", "crm-9"),
        (11, "invalid_consent_at", "crm-10"),
        (12, "future_consent_at", "crm-11"),
        (13, "missing_consent_text", "crm-12"),
        (14, "duplicate", "crm-13"),
        (15, "malformed_row", None),
    ]
    assert job["refused_rows"][8]["detail"] == "duplicate of line 2"
    assert job["refused_by_reason"]["opted_out"] == 1
    assert "1 already opted out and kept opted out" in job["summary"]

    granted = (await api.get("/v1/consent/4155550101")).json()
    assert (granted["status"], granted["purposes"]["marketing"]["express"]) == ("opted_in", True)
    [entry] = granted["history"]
    assert (entry["source"], entry["actor"], entry["consent_type"], entry["received_at"]) == (
        "import", "crm", "express", "2026-01-10T14:30:00Z",
    )  # fmt: skip
    assert entry["evidence"]["details"] == {
        "import_id": str(job["id"]), "line": "2", "consent_source": "web form /signup",
        "consent_text": AGREED, "ref": "crm-1", "filename": "consent.csv",
    }  # fmt: skip
    kept = (await api.get("/v1/consent/4155550105")).json()
    assert (kept["status"], len(kept["history"])) == ("opted_out", 1)
    assert (await api.get("/v1/consent/4155550104")).json()["history"] == []

    eligibility = await api.post(
        "/v1/eligibility",
        json={"phones": [f"+1415555010{i}" for i in range(1, 6)], "purpose": "marketing"},
    )
    reasons = {r["phone"]: r["reasons"] for r in eligibility.json()["results"]}
    assert reasons == {
        "+14155550101": [],
        "+14155550102": ["no_express_consent"],
        "+14155550103": ["suppressed", "no_express_consent"],
        "+14155550104": ["no_express_consent"],
        "+14155550105": ["suppressed", "no_express_consent"],
    }
    events = [e for e in await consent_events(engine) if e.correlation_id]
    assert sorted((e.type, e.data.phone) for e in events) == [
        ("consent.granted", "+14155550101"),
        ("consent.granted", "+14155550102"),
        ("consent.revoked", "+14155550103"),
    ]
    assert {e.correlation_id for e in events} == {f"consent-import-{job['id']}"}
    assert {e.data.actor for e in events} == {"crm"}


async def test_a_file_that_is_no_consent_csv_fails_and_records_nothing(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    no_column = await imported(api, "phone,opt_in\n4155550101,yes\n")
    assert no_column["status"] == "failed"
    assert no_column["error"] == (
        "bad consent file: no consent column in the header (columns: phone, consent, "
        "consent_source, consent_at, consent_text, ref)"
    )
    rows = f"4155550101,express,web,2026-01-10,{AGREED}\n" * 3
    broken = await imported(api, HEADER + rows + "4155550102,express,web,2026-01-10,caf\xe9\n")
    assert broken["status"] == "succeeded"  # é is UTF-8 here: the file is fine
    bad_bytes = (HEADER + rows).encode() + b"4155550103,express,web,2026-01-10,caf\xe9\n"
    answer = await api.post(
        "/v1/consent/imports", files={"file": ("consent.csv", bad_bytes, "text/csv")}
    )
    for _ in range(500):
        job = (await api.get(answer.headers["location"])).json()
        if job["status"] == "failed":
            break
        await asyncio.sleep(0.02)
    assert job["error"] == "bad consent file: line 5 is not UTF-8 text"
    assert (job["applied"], job["granted"]) == (0, 0)
    assert (await api.get("/v1/consent/4155550103")).json()["history"] == []
    async with engine.connect() as conn:
        staged = await conn.scalar(text("SELECT count(*) FROM consent_import_rows"))
    assert staged == 0
    assert (await api.get("/v1/consent/imports/999999")).status_code == 404
    listed = (await api.get("/v1/consent/imports")).json()
    assert [j["status"] for j in listed] == ["failed", "succeeded", "failed"]


async def test_a_marketing_only_import_under_purpose_scope_leaves_transactional_alone(
    api_at: ApiAt,
) -> None:
    async with api_at(consent_import_chunk=3, revocation_scope="purpose") as api:
        await revoke(api, "+14155550102", scope="transactional")
        body = HEADER + "\n".join(
            [
                "4155550101,revoked,call centre,2026-01-12,,",
                f"4155550102,express,web,2026-01-10,{AGREED},",
            ]
        )
        job = await imported(api, body, scope="marketing")
        assert (job["revoked"], job["granted"], job["kept_opted_out"]) == (1, 1, 0)

        first = (await api.get("/v1/consent/4155550101")).json()
        assert first["purposes"]["marketing"]["status"] == "opted_out"
        assert first["purposes"]["transactional"]["status"] == "unknown"
        assert first["suppressed"] is False
        second = (await api.get("/v1/consent/4155550102")).json()
        assert second["purposes"]["marketing"] == {"status": "opted_in", "express": True}
        assert second["purposes"]["transactional"]["status"] == "opted_out"

        # Opted out of transactional texts: an import of every purpose would re-subscribe them.
        again = await imported(api, f"phone,consent,consent_source,consent_at,consent_text\n"
                               f"4155550102,express,web,2026-01-11,{AGREED}\n")  # fmt: skip
        assert (again["granted"], again["kept_opted_out"]) == (0, 1)
