"""reconciler's API rules, as data run through the runtime's harness (runtime/testing_api.py),
through the app with a real PostgreSQL (no lifespan): who may call what (DESIGN §3c: every
operation but health and metrics needs a token, the `operations` scope for writes), and hostile
input of each kind the fuzzing found (tests-e2e/test_fuzz_apis.py) gets a documented 4xx."""

import pytest

from smsbus.runtime.testing_api import ApiRules, Hostile, api_rule_tests

pytestmark = pytest.mark.integration

CASES = [
    Hostile("unknown run", "GET", "/runs/nope", 404),
    Hostile("NUL in a run id", "GET", "/runs/a%00", 422),
    Hostile("negative limit", "GET", "/runs?limit=-1", 422),
]

RULES = ApiRules(scope="operations", read=("GET", "/runs", None), write=("POST", "/runs", None), write_status=202, hostile=CASES)  # fmt: skip
test_tokens_and_scopes_and_no_open_operation, test_hostile_input_gets_a_documented_4xx = api_rule_tests(RULES)  # fmt: skip
