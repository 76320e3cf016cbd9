"""compliance's API rules, as data run through the runtime's harness (runtime/testing_api.py),
through the app with a real PostgreSQL (no lifespan): who may call what (DESIGN §3c: every
operation but health and metrics needs a token, the `consent` scope for writes), and hostile
input of each kind the fuzzing found (tests-e2e/test_fuzz_apis.py) gets a documented 4xx."""

import pytest

from smsbus.runtime.testing_api import ApiRules, Hostile, api_rule_tests

pytestmark = pytest.mark.integration

PHONE = "+14155552671"
JSON = {"content-type": "application/json"}
MULTIPART = {"content-type": "multipart/form-data; boundary=XX"}
UPLOAD = (  # as a client may write it (httpx would escape the file's name)
    b'--XX\r\nContent-Disposition: form-data; name="format"\r\n\r\nplain\r\n'
    b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a\x00.txt"\r\n\r\n'
    b"4155552671\r\n--XX--\r\n"
)

CASES = [
    # A 422 was a bare string where the OpenAPI documents FastAPI's list of errors.
    Hostile("not a phone (path)", "GET", "/v1/consent/not-a-phone", 422),
    Hostile("not a phone (query)", "GET", "/v1/outbound?phone=nope", 422),
    Hostile("not a phone (body)", "POST", "/v1/consent", 422, json={"phone": "nope", "source": "web"}),
    Hostile("not a phone to validate", "GET", "/v1/phones/nope/validation", 422),
    Hostile("no phones to validate", "POST", "/v1/phones/validation", 422, json={"phones": []}),
    Hostile("101 phones to validate", "POST", "/v1/phones/validation", 422, json={"phones": [PHONE] * 101}),
    Hostile("an unknown field in a batch", "POST", "/v1/phones/validation", 422, json={"phones": [PHONE], "carrier": True}),
    Hostile("lone surrogate in a batch", "POST", "/v1/phones/validation", 422, content=b'{"phones": ["\\udfff"]}', headers=JSON),
    Hostile("import id beyond bigint", "GET", f"/v1/dnc/imports/{2**63}", 422),
    Hostile("unknown DNC import", "GET", "/v1/dnc/imports/7", 404),
    Hostile("unknown consent import", "GET", "/v1/consent/imports/7", 404),
    Hostile("not on the internal list", "DELETE", f"/v1/dnc/internal/{PHONE}", 404),
    Hostile("NUL in a DNC reason", "PUT", f"/v1/dnc/internal/{PHONE}", 422, json={"reason": "a\x00"}),
    Hostile("NUL in consent details", "POST", "/v1/consent", 422, json={"phone": PHONE, "source": "web", "details": {"form": "\x00"}}),
    Hostile("lone surrogate in a text", "POST", "/v1/classify", 422, content=b'{"text": "STOP \\udfff"}', headers=JSON),
    Hostile("body not UTF-8", "POST", "/v1/eligibility", 400, content=b'{"phones": ["\xff"]}', headers=JSON),
    Hostile("consent given before year 1 in UTC", "POST", "/v1/consent", 422, json={"phone": PHONE, "source": "web", "received_at": "0001-01-01T00:00:00+14:00"}),
    Hostile("a bound before year 1 in UTC", "GET", f"/v1/outbound?phone={PHONE}&since=0001-01-01T00:00:00%2B14:00", 422),
    Hostile("NUL in a requester (query)", "GET", f"/v1/outbound?phone={PHONE}&requester=%00", 422),
    Hostile("NUL in an upload's name", "POST", "/v1/dnc/imports", 422, content=UPLOAD, headers=MULTIPART),
]  # fmt: skip

RULES = ApiRules(scope="consent", read=("GET", "/v1/consent/+14155552671", None), write=("PUT", "/v1/dnc/internal/+14155552671", {"reason": "asked by phone"}), write_status=200, hostile=CASES)  # fmt: skip
test_tokens_and_scopes_and_no_open_operation, test_hostile_input_gets_a_documented_4xx = api_rule_tests(RULES)  # fmt: skip
