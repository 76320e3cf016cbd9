"""health-monitor's API rules, as data run through the runtime's harness (runtime/testing_api.py),
through the app with a real PostgreSQL (no lifespan): who may call what (DESIGN §3c: every
operation but health and metrics needs a token, the `operations` scope for writes), and hostile
input of each kind the fuzzing found (tests-e2e/test_fuzz_apis.py) gets a documented 4xx."""

from typing import Any

import pytest

from smsbus.runtime.testing_api import ApiRules, Hostile, api_rule_tests

pytestmark = pytest.mark.integration


def _notification(**labels: str) -> dict[str, Any]:
    alert = {
        "status": "firing",
        "labels": labels,
        "startsAt": "2026-03-03T10:00:00Z",
        "fingerprint": "f1",
    }
    return {"version": "4", "status": "firing", "alerts": [alert]}  # fmt: skip


CASES = [
    Hostile("unknown check", "GET", "/checks/nope", 404),
    Hostile("NUL in a check id", "GET", "/checks/a%00", 422),
    Hostile("NUL in an alert's label (jsonb)", "POST", "/alerts/alertmanager", 422, json=_notification(alertname="a\x00")),
    Hostile("an alert starting before year 1 in UTC", "POST", "/alerts/alertmanager", 422, json=_notification(alertname="x") | {"alerts": [{"status": "firing", "labels": {}, "startsAt": "0001-01-01T00:00:00+14:00", "fingerprint": "f"}]}),
    Hostile("an alert's time without an offset", "POST", "/alerts/alertmanager", 422, json=_notification(alertname="x") | {"alerts": [{"status": "resolved", "labels": {}, "startsAt": "2026-03-03T10:00:00", "endsAt": "2026-03-03T11:00:00Z", "fingerprint": "f"}]}),
    Hostile("body not UTF-8", "POST", "/alerts/alertmanager", 400, content=b"\xff", headers={"content-type": "application/json"}),
]  # fmt: skip

RULES = ApiRules(scope="operations", read=("GET", "/checks", None), write=("POST", "/checks", None), write_status=202, hostile=CASES)  # fmt: skip
test_tokens_and_scopes_and_no_open_operation, test_hostile_input_gets_a_documented_4xx = api_rule_tests(RULES)  # fmt: skip
