"""Schemathesis over a running service, from the OpenAPI it serves (no pytest here).

Every operation is fuzzed twice: by a caller with a valid `all` token and by one without a
valid token (none, a malformed header or an unknown bearer, as schemathesis generates them from
the bearer scheme). Each caller gets schemathesis' positive cases (valid by the schema) and its
negative ones (invalid by the schema), and every case also carries a few undeclared query
parameters of random names and values, which the service must ignore. That last part gives an
operation without inputs (`GET /status`) as many distinct requests as one with a body.

Each answer must pass schemathesis' checks against the served schema: no 5xx, a documented
status code, content type, headers and body; negative cases refused with a 4xx. Without a valid
token every answer must be 401 with `WWW-Authenticate: Bearer`. A request unanswered after
`TIMEOUT` seconds is a failure (a hang). Failures are collected, not raised, so that one run
shows every defect with a curl command that reproduces it.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, CheckFunction, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

TIMEOUT = 10.0
"""Seconds a request may take before it counts as a hang."""
CASES = 100
"""Per operation and caller: up to `NEGATIVE` negative cases (fewer where little can be made
invalid), then positive ones up to `CASES` in all."""
NEGATIVE = 30
CHECKS: list[CheckFunction] = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
NEGATIVE_REFUSED: list[CheckFunction] = [negative_data_rejection]
"""Except for multipart bodies: a part is bytes whatever JSON type schemathesis meant it to
break (`file` as an object is still a file), so a "negative" upload can be a valid one."""

# Undeclared query parameters: names no operation declares (a `z_` prefix), printable values.
_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8).map("z_".__add__)
_VALUE = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
UNDECLARED = st.dictionaries(_NAME, _VALUE, max_size=3)
PHONES = st.builds(
    "{}{}".format,
    st.sampled_from(["+1415", "(415) ", "415-", "+1 212 ", "+44 20 7946 0"]),
    st.integers(min_value=2_000_000, max_value=9_999_999).map(str),
)
"""Numbers as callers write them: schemathesis' strings are next to never one, so without
these an operation on a `phone` would answer nothing but 422."""


@dataclass(frozen=True)
class Caller:
    label: str
    authorization: str | None
    """The header sent; None: whatever schemathesis generates (none, malformed, unknown)."""


@dataclass
class Tally:
    cases: int = 0
    distinct: set[int] = field(default_factory=set)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, str] = field(default_factory=dict)
    """Kind (checks failed, status) → its first example, with the curl that reproduces it."""
    failed: Counter[str] = field(default_factory=Counter)

    def fail(self, kind: str, message: str) -> None:
        self.failed[kind] += 1
        self.failures.setdefault(kind, message)


@dataclass
class Report:
    service: str
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    """(operation label, caller label) → what was sent and seen."""
    seconds: float = 0.0
    unusable: list[str] = field(default_factory=list)
    """Operations schemathesis could not read from the schema (a schema defect)."""

    def table(self) -> str:
        callers = sorted({caller for _, caller in self.tallies}, reverse=True)
        heading = f"{self.service}: cases per operation ({', '.join(callers)})"
        lines = [f"{heading}, {self.seconds:.0f} s"]
        for operation in sorted({op for op, _ in self.tallies}):
            counts = [self.tallies[operation, caller] for caller in callers]
            cells = ", ".join(f"{t.cases} ({len(t.distinct)} distinct)" for t in counts)
            statuses = sum((t.statuses for t in counts), Counter[int]())
            seen = " ".join(f"{code}: {n}" for code, n in sorted(statuses.items()))
            lines.append(f"  {operation:<45} {cells}   [{seen}]")
        total = sum(t.cases for t in self.tallies.values())
        lines.append(f"  total {total} cases, {self.failed()} failed")
        return "\n".join(lines)

    def failed(self) -> int:
        return sum(t.failed.total() for t in self.tallies.values()) + len(self.unusable)

    def failures(self) -> list[str]:
        """One example of each kind of failure, per operation and caller."""
        return self.unusable + [
            f"{operation} ({caller}), {kind}, {tally.failed[kind]} times:\n{message}"
            for (operation, caller), tally in sorted(self.tallies.items())
            for kind, message in tally.failures.items()
        ]


def fuzz_service(service: str, schema: BaseSchema, callers: list[Caller]) -> Report:
    """Every operation of `schema` (loaded from the running service) under every caller."""
    report = Report(service)
    started = time.monotonic()
    with requests.Session() as session:
        for result in schema.get_all_operations():
            if not isinstance(result, Ok):
                report.unusable.append(f"unusable operation: {result.err()}")
                continue
            operation = result.ok()
            for caller in callers:
                tally = report.tallies.setdefault((operation.label, caller.label), Tally())
                _fuzz(operation, caller, GenerationMode.NEGATIVE, NEGATIVE, session, tally)
                positive = CASES - tally.cases
                _fuzz(operation, caller, GenerationMode.POSITIVE, positive, session, tally)
    report.seconds = time.monotonic() - started
    return report


def _fuzz(
    operation: APIOperation[Any, Any, Any, Any],
    caller: Caller,
    mode: GenerationMode,
    examples: int,
    session: requests.Session,
    tally: Tally,
) -> None:
    fixed = {"Authorization": caller.authorization} if caller.authorization else None
    cases = _cases(operation, mode, fixed)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # a failure is recorded, never raised: nothing to shrink
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, undeclared=UNDECLARED)
    def run(case: Case[Any], undeclared: dict[str, str]) -> None:
        tally.cases += 1
        _send(case, undeclared, caller, session, tally)

    # Unsatisfiable: nothing in this operation can be made invalid (negative mode).
    with contextlib.suppress(Unsatisfiable):
        run()


def _cases(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    headers: dict[str, str] | None,
) -> st.SearchStrategy[Case[Any]]:
    """Schemathesis' cases; positive ones half the time with a phone number where the
    operation takes a `phone` (path or query)."""
    cases = operation.as_strategy(mode, headers=headers)
    if mode is not GenerationMode.POSITIVE:
        return cases
    if any(p.name == "phone" for p in operation.path_parameters):
        return cases | PHONES.flatmap(
            lambda phone: operation.as_strategy(
                mode, headers=headers, path_parameters={"phone": phone}
            )
        )
    if any(p.name == "phone" for p in operation.query):
        return cases | PHONES.flatmap(
            lambda phone: operation.as_strategy(mode, headers=headers, query={"phone": phone})
        )
    return cases


def _send(
    case: Case[Any],
    undeclared: dict[str, str],
    caller: Caller,
    session: requests.Session,
    tally: Tally,
) -> None:
    if undeclared:
        case.query = {**(case.query or {}), **undeclared}
    tally.distinct.add(hash(repr(case)))
    try:
        response = case.call(session=session, timeout=TIMEOUT)
    except requests.Timeout:
        tally.fail("hang", f"no answer within {TIMEOUT} s\n{case.as_curl_command()}")
        return
    except requests.RequestException as exc:  # e.g. the service closed the connection
        tally.fail(type(exc).__name__, f"{exc}\n{case.as_curl_command()}")
        return
    tally.statuses[response.status_code] += 1
    try:
        multipart = case.media_type == "multipart/form-data"
        case.validate_response(response, checks=CHECKS + ([] if multipart else NEGATIVE_REFUSED))
        if caller.authorization is None:
            _refused_without_a_token(response)
    except FailureGroup as exc:  # its message has the curl command that reproduces it
        codes = "+".join(sorted({failure.code for failure in exc.exceptions}))
        tally.fail(f"{codes} on {response.status_code}", str(exc))
    except AssertionError as exc:
        tally.fail(f"{exc} on {response.status_code}", f"{exc}\n{case.as_curl_command()}")


def _refused_without_a_token(response: Response) -> None:
    assert response.status_code == 401, f"answered {response.status_code} without a valid token"
    challenge = response.headers.get("www-authenticate")  # lower-case names, lists of values
    assert challenge == ["Bearer"], f"401 with WWW-Authenticate {challenge}"
