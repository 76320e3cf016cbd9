"""campaign-engine's API rules, as data run through the runtime's harness (runtime/testing_api.py),
through the app with a real PostgreSQL (no lifespan): who may call what (DESIGN §3c: every
operation but health and metrics needs a token, the `campaigns` scope for writes), and hostile
input of each kind the fuzzing found (tests-e2e/test_fuzz_apis.py) gets a documented 4xx."""

import pytest

from smsbus.runtime.testing_api import (
    AUTH,
    ApiRules,
    AppFactory,
    Hostile,
    api_rule_tests,
    asgi_client,
)

pytestmark = pytest.mark.integration

BEYOND_BIGINT = 2**63
CAMPAIGN = {"name": "spring", "line": "+15555550100", "variants": [{"name": "A", "template": "Hi"}]}
MULTIPART = {"content-type": "multipart/form-data; boundary=XX"}


def upload(filename: bytes, content: bytes) -> bytes:
    """A multipart body as a client may write it (httpx would escape the file's name)."""
    disposition = b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"'
    return b"--XX\r\n" + disposition + b"\r\n\r\n" + content + b"\r\n--XX--\r\n"


CASES = [
    Hostile("contacts: negative offset", "GET", "/v1/contacts?offset=-1", 422),
    Hostile("contacts: negative limit", "GET", "/v1/contacts?limit=-1", 422),
    Hostile("contacts: offset beyond bigint", "GET", f"/v1/contacts?offset={BEYOND_BIGINT}", 422),
    Hostile("members: negative offset", "GET", "/v1/campaigns/c1/members?offset=-1", 422),
    Hostile("members: negative limit", "GET", "/v1/campaigns/c1/members?limit=-5", 422),
    Hostile("NUL in a list's name", "POST", "/v1/lists", 422, json={"name": "a\x00b"}),
    Hostile("NUL in contact ids", "POST", "/v1/lists", 422, json={"name": "n", "contact_ids": ["\x00"]}),
    Hostile("NUL in a filter (jsonb)", "POST", "/v1/lists", 422, json={"name": "n", "kind": "dynamic", "filter": {"\x00": 1}}),
    Hostile("NUL in a template", "POST", "/v1/campaigns", 422, json=CAMPAIGN | {"variants": [{"name": "A", "template": "\x00"}]}),
    Hostile("lone surrogate in a name", "POST", "/v1/lists", 422, content=b'{"name": "\\ud800"}', headers={"content-type": "application/json"}),
    Hostile("daily limit beyond integer", "POST", "/v1/campaigns", 422, json=CAMPAIGN | {"daily_limit": 2**31}),
    Hostile("A/B sample beyond integer", "POST", "/v1/campaigns", 422, json=CAMPAIGN | {"min_sample": 2**31}),
    Hostile("a schedule before year 1 in UTC", "POST", "/v1/campaigns", 422, json=CAMPAIGN | {"scheduled_at": "0001-01-01T00:00:00+14:00"}),
    Hostile("a schedule at the first instant of year 1 (read back without its offset)", "POST", "/v1/campaigns", 422, json=CAMPAIGN | {"scheduled_at": "0001-01-01T00:00:00Z"}),
    Hostile("a flag's time after year 9999 in UTC", "PATCH", "/v1/contacts/c1/flags", 422, json={"recently_texted_until": "9999-12-31T23:59:59-14:00"}),
    Hostile("a window time with an offset", "POST", "/v1/campaigns", 422, json=CAMPAIGN | {"window": {"start": "08:00:00+05:00"}}),
    Hostile("stray CR in a CSV", "POST", "/v1/contacts", 422, files={"file": ("a.csv", b"phone,first_name\n+14155550123,a\rb\n")}),
    Hostile("NUL in a CSV's column name", "POST", "/v1/contacts", 422, files={"file": ("a.csv", b"phone,na\x00me\n+14155550123,a\n")}),
    Hostile("NUL in an upload's name", "POST", "/v1/contacts/imports", 422, content=upload(b"a\x00.csv", b"phone\n+14155550123\n"), headers=MULTIPART),
    Hostile("NUL in a form field", "POST", "/v1/contacts/imports", 422, files={"file": ("a.csv", b"phone\n")}, data={"list_id": "\x00"}),
    Hostile("NUL in a campaign id (path)", "GET", "/v1/campaigns/%00", 422),
    Hostile("NUL in a member status (query)", "GET", "/v1/campaigns/c1/members?status=%00", 422),
    Hostile("NUL in a contact id (path)", "PATCH", "/v1/contacts/a%00/flags", 422, json={}),
    Hostile("body not UTF-8", "POST", "/v1/lists", 400, content=b'{"name": "\xff"}', headers={"content-type": "application/json"}),
    Hostile("unknown campaign", "GET", "/v1/campaigns/nope", 404),
    Hostile("unknown campaign's start", "POST", "/v1/campaigns/nope/start", 404),
    Hostile("unknown campaign's A/B", "GET", "/v1/campaigns/nope/ab", 404),
    Hostile("unknown contact's flags", "PATCH", "/v1/contacts/nope/flags", 404, json={}),
    Hostile("unknown list", "POST", "/v1/lists/nope/members", 404, json={"contact_ids": ["x"]}),
    Hostile("unknown import", "GET", "/v1/contacts/imports/nope", 404),
    Hostile("unknown contact to preview", "POST", "/v1/templates/preview", 404, json={"template": "Hi", "contact_id": "nope"}),
]  # fmt: skip

RULES = ApiRules(scope="campaigns", read=("GET", "/v1/lists", None), write=("POST", "/v1/lists", {"name": "spring"}), write_status=201, hostile=CASES, hidden=[("POST", "/v1/testing/clock")])  # fmt: skip
test_tokens_and_scopes_and_no_open_operation, test_hostile_input_gets_a_documented_4xx = api_rule_tests(RULES)  # fmt: skip


async def test_flags_with_nothing_to_set_leave_the_contact_as_it_was(make_app: AppFactory) -> None:
    """`{}` once made an UPDATE without SET: a 500."""
    async with asgi_client(make_app()) as http:
        csv = b"phone,first_name\n+14155550123,Ann\n"
        imported = await http.post("/v1/contacts", files={"file": ("a.csv", csv)}, headers=AUTH)
        [contact_id] = imported.json()["contact_ids"]
        answer = await http.patch(f"/v1/contacts/{contact_id}/flags", json={}, headers=AUTH)
        assert answer.status_code == 200, answer.text
        assert answer.json()["first_name"] == "Ann"
        assert answer.json()["do_not_contact"] is False
