"""The HTTP API against a real PostgreSQL (no broker needed: the lifespan does not run)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.app import create_app
from smsbus.compliance.settings import Settings
from smsbus.contracts import decode_event
from smsbus.runtime.testing_api import AUTH

from ..builders import NOW

pytestmark = pytest.mark.integration

PERSON = "+14155552671"


def settings(database_url: str, schema: str, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "SMSBUS_DATABASE_URL": database_url,
        "SMSBUS_OPENPHONE_API_KEY": "test-key",
        "db_schema": schema,
        "topic_overrides": {"compliance.consent.v1": "test.consent.v1"},
        "brand_name": "Acme Fences",
    }
    return Settings(**(fields | overrides))


@pytest.fixture
async def api(database_url: str, schema: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings(database_url, schema), clock=lambda: NOW)
    async with httpx.AsyncClient(
        headers=AUTH, transport=httpx.ASGITransport(app=app), base_url="http://compliance"
    ) as client:
        yield client


async def count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one())


@pytest.mark.parametrize(
    ("body", "intent"),
    [
        ({"text": "STOP"}, "opt_out"),
        ({"text": "we can stop at the store"}, "none"),
        ({"text": "Arrêt svp"}, "opt_out"),
    ],
)
async def test_classify(api: httpx.AsyncClient, body: dict[str, str], intent: str) -> None:
    answer = await api.post("/v1/classify", json=body)
    assert answer.status_code == 200
    assert answer.json()["intent"] == intent
    assert answer.json()["classifier_version"]


@pytest.mark.parametrize(
    ("request_kwargs", "needle"),
    [
        ({}, "Field required"),
        ({"json": {}}, "text"),
        ({"json": {"text": ""}}, "at least 1"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, "JSON"),
    ],
)
async def test_classify_refuses_bad_input(
    api: httpx.AsyncClient, request_kwargs: dict[str, Any], needle: str
) -> None:
    answer = await api.post("/v1/classify", **request_kwargs)
    assert answer.status_code == 422
    assert needle in answer.text


@pytest.mark.parametrize(
    "written", ["+14155552671", "(415) 555-2671", "415.555.2671", "1-415-555-2671"]
)
async def test_consent_of_an_unknown_number_in_any_format(
    api: httpx.AsyncClient, written: str
) -> None:
    answer = await api.get(f"/v1/consent/{written}")
    assert answer.status_code == 200
    unknown = {"status": "unknown", "express": False}
    assert answer.json() == {
        "phone": PERSON,
        "status": "unknown",
        "suppressed": False,
        "purposes": {"marketing": unknown, "transactional": unknown},
        "history": [],
    }


async def test_an_unparseable_phone_is_a_clear_422(api: httpx.AsyncClient) -> None:
    answer = await api.get("/v1/consent/not-a-phone")
    assert answer.status_code == 422
    # FastAPI's own shape, as the OpenAPI documents every 422 (schemathesis found a bare string)
    [error] = answer.json()["detail"]
    assert error["loc"] == ["path", "phone"]
    assert "not a phone number" in error["msg"]


async def test_record_consent_then_revoke_it(api: httpx.AsyncClient, engine: AsyncEngine) -> None:
    granted = await api.post(
        "/v1/consent",
        json={
            "phone": "(415) 555-2671",
            "source": "web",
            "actor": "crm:jane",
            "details": {"form_id": "F7"},
        },
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["status"] == "opted_in"
    assert granted.json()["entry"]["consent_type"] == "express"

    revoked = await api.post(
        "/v1/consent",
        json={
            "phone": PERSON,
            "source": "manual",
            "actor": "agent:bob",
            "action": "revoked",
            "details": {"call": "CA1"},
        },
    )
    assert revoked.json()["status"] == "opted_out"

    consent = (await api.get(f"/v1/consent/{PERSON}")).json()
    assert consent["suppressed"] is True
    assert [
        (e["action"], e["source"], e["actor"], e["evidence"]["details"]) for e in consent["history"]
    ] == [  # the actor is the token's name; what the body claimed stays in the details
        ("granted", "web", "tests", {"form_id": "F7", "claimed_actor": "crm:jane"}),
        ("revoked", "manual", "tests", {"call": "CA1", "claimed_actor": "agent:bob"}),
    ]
    async with engine.connect() as conn:
        events = [
            decode_event(v)
            for v in (await conn.execute(text("SELECT value FROM outbox ORDER BY id"))).scalars()
        ]
    assert [(e.type, e.data.phone, e.data.actor) for e in events] == [
        ("consent.granted", PERSON, "tests"),
        ("consent.revoked", PERSON, "tests"),
    ]
    assert await count(engine, "outbound_messages") == 0, "recording consent texts nobody"


@pytest.mark.parametrize(
    ("consent_type", "source", "ours"),
    [
        ("explicit", "website_signup", ("express", "web")),
        ("written", "in_person", ("express", "manual")),
        ("implicit", "csv", ("implied", "import")),
        ("express", "text", ("express", "sms")),
    ],
)
async def test_a_synonym_of_a_consent_type_or_source_is_read_as_ours_and_kept_as_given(
    api: httpx.AsyncClient, consent_type: str, source: str, ours: tuple[str, str]
) -> None:
    body = {"phone": PERSON, "consent_type": consent_type, "source": source, "details": {"form_id": "contact_us_123"}}  # fmt: skip
    granted = await api.post("/v1/consent", json=body)
    assert granted.status_code == 201, granted.text
    entry = granted.json()["entry"]
    assert (entry["consent_type"], entry["source"]) == ours
    assert entry["evidence"]["details"] == {"form_id": "contact_us_123", "source_as_given": source}


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "banana", "source": "web", "actor": "a"},
        {"phone": PERSON, "source": "fax", "actor": "a"},
        {"phone": PERSON, "source": "Website_Signup", "actor": "a"},
        {"phone": PERSON, "source": "web", "consent_type": "sort of"},
        {"phone": PERSON, "source": "web", "actor": ""},
        {},
    ],
)
async def test_bad_consent_requests_write_nothing(
    api: httpx.AsyncClient, engine: AsyncEngine, body: dict[str, str]
) -> None:
    answer = await api.post("/v1/consent", json=body)
    assert answer.status_code == 422
    assert await count(engine, "consent_ledger") == 0
    assert await count(engine, "outbox") == 0


async def test_export_is_one_json_document_with_everything(api: httpx.AsyncClient) -> None:
    await api.post(
        "/v1/consent", json={"phone": PERSON, "source": "api", "actor": "a", "action": "revoked"}
    )

    answer = await api.get("/v1/consent/4155552671/export")

    assert answer.status_code == 200
    assert (
        answer.headers["content-disposition"] == 'attachment; filename="consent-14155552671.json"'
    )
    body = answer.json()
    assert body["phone"] == PERSON
    assert body["status"] == "opted_out"
    assert body["suppressed_at"] is not None
    assert len(body["history"]) == 1
    assert body["replies"] == []
    assert body["current_classifier_version"]


async def test_eligibility_gives_every_reason(api: httpx.AsyncClient) -> None:
    await api.post("/v1/consent", json={"phone": "+14155552672", "source": "web", "actor": "a"})
    await api.post(
        "/v1/consent",
        json={"phone": "+14155552673", "source": "web", "actor": "a", "action": "revoked"},
    )
    await api.put(
        "/v1/dnc/internal/+14155552674", json={"reason": "asked by phone", "actor": "agent:bob"}
    )
    phones = [
        "+14155552671",
        "+14155552672",
        "+14155552673",
        "+14155552674",
        "1-800-555-1212",
        "garbage",
        "+447911123456",
    ]

    answer = await api.post("/v1/eligibility", json={"phones": phones, "purpose": "marketing"})

    assert answer.status_code == 200
    reasons = {r["input"]: (r["may_send"], r["reasons"]) for r in answer.json()["results"]}
    assert reasons == {
        "+14155552671": (False, ["no_express_consent"]),
        "+14155552672": (True, []),
        "+14155552673": (False, ["suppressed", "no_express_consent"]),
        "+14155552674": (False, ["internal_dnc", "no_express_consent"]),
        "1-800-555-1212": (False, ["toll_free", "no_express_consent"]),
        "garbage": (False, ["invalid"]),
        "+447911123456": (False, ["unsupported_country", "no_express_consent"]),
    }
    transactional = await api.post(
        "/v1/eligibility", json={"phones": phones[:2], "purpose": "transactional"}
    )
    assert [r["may_send"] for r in transactional.json()["results"]] == [True, True]


@pytest.mark.parametrize(
    "body",
    [
        {"phones": [], "purpose": "marketing"},
        {"phones": [PERSON], "purpose": "spam"},
        {"phones": [PERSON]},
    ],
)
async def test_eligibility_refuses_bad_requests(
    api: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    assert (await api.post("/v1/eligibility", json=body)).status_code == 422


async def test_the_internal_list(api: httpx.AsyncClient) -> None:
    added = await api.put(
        "/v1/dnc/internal/(415) 555-2671", json={"reason": "lawyer letter", "actor": "legal"}
    )
    assert added.json()["internal"]["reason"] == "lawyer letter"
    assert (await api.delete(f"/v1/dnc/internal/{PERSON}")).status_code == 204
    assert (await api.delete(f"/v1/dnc/internal/{PERSON}")).status_code == 404
    assert (await api.get(f"/v1/dnc/{PERSON}")).json()["listed"] is False


async def test_validation_without_a_lookup_key_says_unknown_for_us_numbers(
    api: httpx.AsyncClient,
) -> None:
    answer = await api.get("/v1/phones/(415) 555-2671/validation")
    assert answer.status_code == 200
    body = answer.json()
    assert {
        k: body[k]
        for k in (
            "e164",
            "valid",
            "region",
            "country_code",
            "number_type",
            "line_type",
            "time_zones",
        )
    } == {
        "e164": PERSON,
        "valid": True,
        "region": "US",
        "country_code": 1,
        "number_type": "fixed_line_or_mobile",
        "line_type": "unknown",
        "time_zones": ["America/Los_Angeles"],
    }
    assert body["lookup"] == {
        "enabled": False,
        "source": None,
        "fetched_at": None,
        "error": None,
        "quota_used": None,
    }
    assert (await api.get("/v1/phones/12/validation")).status_code == 422


async def test_openapi_documents_every_route(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    for path in (
        "/v1/classify",
        "/v1/consent/{phone}",
        "/v1/consent",
        "/v1/eligibility",
        "/v1/dnc/imports",
        "/v1/dnc/imports/{import_id}",
        "/v1/dnc/{phone}",
        "/v1/phones/{phone}/validation",
    ):
        assert path in paths
    assert (await api.get("/docs")).status_code == 200


async def test_validation_takes_the_line_type_from_the_lookup_provider(
    database_url: str, schema: str
) -> None:
    calls: list[httpx.Request] = []

    def numverify(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            200, json={"valid": True, "line_type": "mobile", "carrier": "Verizon Wireless"}
        )

    app = create_app(
        settings(
            database_url,
            schema,
            numverify_url="https://numverify.test/api",
            numverify_api_key="k-123",
        ),
        clock=lambda: NOW,
        lookup_transport=httpx.MockTransport(numverify),
    )
    async with httpx.AsyncClient(
        headers=AUTH, transport=httpx.ASGITransport(app=app), base_url="http://compliance"
    ) as api:
        first = (await api.get("/v1/phones/+14155552671/validation")).json()
        second = (await api.get("/v1/phones/+14155552671/validation")).json()
        toll_free = (await api.get("/v1/phones/+18005551212/validation?lookup=false")).json()

    assert (
        first["line_type"],
        first["carrier"],
        first["lookup"]["source"],
        first["lookup"]["quota_used"],
    ) == ("mobile", "Verizon Wireless", "numverify", 1)
    assert second["lookup"]["source"] == "cache"
    assert len(calls) == 1
    assert toll_free["line_type"] == "toll_free"


def numverify_by_number(calls: list[str], line_types: dict[str, str]) -> httpx.MockTransport:
    """A NumVerify stand-in answering each number's line type (the query's `number`)."""

    def answer(request: httpx.Request) -> httpx.Response:
        number = request.url.params["number"]
        calls.append(number)
        return httpx.Response(200, json={"valid": True, "line_type": line_types[number]})

    return httpx.MockTransport(answer)


def lookup_app(
    database_url: str, schema: str, transport: httpx.MockTransport, **overrides: Any
) -> httpx.AsyncClient:
    app = create_app(
        settings(database_url, schema, numverify_url="https://numverify.test/api", numverify_api_key="k-123", **overrides),
        clock=lambda: NOW, lookup_transport=transport,
    )  # fmt: skip
    return httpx.AsyncClient(
        headers=AUTH, transport=httpx.ASGITransport(app=app), base_url="http://compliance"
    )


async def test_a_batch_is_validated_number_by_number_with_a_summary_and_one_lookup_a_number(
    database_url: str, schema: str
) -> None:
    calls: list[str] = []
    provider = numverify_by_number(calls, {"14155552671": "mobile", "14155552672": "landline"})
    inputs = ["+14155552671", "(415) 555-2672", "12", "415.555.2671", "+1 800 555 1212", "nope"]
    async with lookup_app(database_url, schema, provider) as api:
        answer = await api.post("/v1/phones/validation", json={"phones": inputs})
        usage = (await api.get("/v1/phones/lookups")).json()
        eligibility = await api.post(
            "/v1/eligibility", json={"phones": ["+14155552672"], "purpose": "transactional"}
        )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    results = [
        (
            r["input"],
            r["validation"]["line_type"] if r["validation"] else "error: " + r["error"][:9],
        )
        for r in body["results"]
    ]
    assert [(i, kind.split(":")[0]) for i, kind in results] == [
        ("+14155552671", "mobile"), ("(415) 555-2672", "landline"), ("12", "error"),
        ("415.555.2671", "mobile"), ("+1 800 555 1212", "toll_free"), ("nope", "error"),
    ]  # fmt: skip
    assert body["summary"] == {
        "total": 6, "invalid": 2, "valid": 4, "valid_mobile": 2,
        "by_line_type": {"landline": 1, "mobile": 2, "toll_free": 1},
    }  # fmt: skip
    # One paid lookup a number, however written; none for a range phonenumbers knows.
    assert sorted(calls) == ["14155552671", "14155552672"]
    assert body["lookups"] == usage
    # The answers are cached where the eligibility check and the egress read line types.
    assert "landline" in eligibility.json()["results"][0]["reasons"], eligibility.text
    assert usage == {
        "enabled": True,
        "month": NOW.strftime("%Y-%m"),
        "used": 2,
        "quota": 1000,
        "remaining": 998,
    }


async def test_a_batch_past_the_months_quota_answers_the_rest_unknown_and_says_why(
    database_url: str, schema: str
) -> None:
    calls: list[str] = []
    numbers = ["+14155552671", "+14155552672", "+14155552673"]
    provider = numverify_by_number(calls, dict.fromkeys((n[1:] for n in numbers), "mobile"))
    async with lookup_app(database_url, schema, provider, lookup_monthly_quota=2) as api:
        body = (await api.post("/v1/phones/validation", json={"phones": numbers})).json()
        cached_only = (
            await api.post("/v1/phones/validation", json={"phones": numbers, "lookup": False})
        ).json()

    errors = [r["validation"]["lookup"]["error"] for r in body["results"]]
    assert sorted(errors, key=lambda error: error or "") == [
        None,
        None,
        "monthly lookup quota reached",
    ]
    assert body["summary"]["by_line_type"] == {"mobile": 2, "unknown": 1}
    assert (body["lookups"]["used"], body["lookups"]["remaining"]) == (2, 0)
    assert len(calls) == 2
    # The cache answers what was looked up; nothing more is spent.
    assert cached_only["summary"]["by_line_type"] == {"mobile": 2, "unknown": 1}
    assert len(calls) == 2


async def test_without_a_lookup_key_the_usage_says_so(api: httpx.AsyncClient) -> None:
    usage = (await api.get("/v1/phones/lookups")).json()
    assert usage == {
        "enabled": False,
        "month": NOW.strftime("%Y-%m"),
        "used": 0,
        "quota": 1000,
        "remaining": 1000,
    }
