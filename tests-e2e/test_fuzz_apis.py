"""Hostile input on every service API (issue 13): schemathesis fuzzes every operation of the
OpenAPI each service serves, with a valid token and without one (tests-e2e/fuzzing.py says
how), against the service as a real process (`python -m smsbus.<service>`) on a fresh
PostgreSQL schema and topics of its own, the OpenPhone simulator behind it. No 5xx, no answer
outside the documented schema, no hang; at least 100 cases per operation and caller. The
counts are printed (README, Security: Fuzzing).

    ./uv run pytest tests-e2e/test_fuzz_apis.py -s
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
import schemathesis
from pydantic_settings import BaseSettings

import smsbus.campaigns
import smsbus.compliance
import smsbus.health
import smsbus.reconciler
from smsbus.campaigns.settings import Settings as CampaignsSettings
from smsbus.compliance.settings import Settings as ComplianceSettings
from smsbus.health.settings import Settings as HealthSettings
from smsbus.ingest.testing import free_port
from smsbus.openphone_sim.testing import RunningSimulator, running_simulator
from smsbus.reconciler.settings import Settings as ReconcilerSettings
from smsbus.runtime.testing import RegistryTopics, unique_name
from smsbus.runtime.testing_api import TEST_TOKEN
from smsbus.runtime.testing_migrations import migrate
from smsbus.runtime.testing_processes import Process, start_process

from .fuzzing import Caller, Report, fuzz_service

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CALLERS = [Caller("token", f"Bearer {TEST_TOKEN}"), Caller("no token", None)]
MIN_CASES = 100
CLOSED_PORT = "http://127.0.0.1:9"
"""Where a service's peer is not running (campaign-engine ↔ compliance): refused at once."""


@dataclass(frozen=True)
class Service:
    name: str
    package: ModuleType
    settings: type[BaseSettings]
    own: Callable[[RunningSimulator], dict[str, Any]] = lambda _: {}
    """Its settings beyond the shared ones."""
    prefix: str = field(init=False)

    def __post_init__(self) -> None:
        name = self.package.__name__.removeprefix("smsbus.").upper()
        object.__setattr__(self, "prefix", f"SMSBUS_{name}_")


def _openphone(sim: RunningSimulator) -> dict[str, Any]:
    """The test's simulator, unthrottled: a deep run on POST /runs takes milliseconds."""
    return {
        "SMSBUS_OPENPHONE_BASE_URL": sim.base_url,
        "SMSBUS_OPENPHONE_API_KEY": sim.api_key,
        "SMSBUS_OPENPHONE_RATE": 1000.0,
        "SMSBUS_OPENPHONE_BURST": 100,
    }


SERVICES = [
    Service(
        "compliance",
        smsbus.compliance,
        ComplianceSettings,
        lambda sim: _openphone(sim) | {"campaigns_url": CLOSED_PORT},
    ),
    Service(
        "campaign-engine",
        smsbus.campaigns,
        CampaignsSettings,
        lambda _: {"compliance_url": CLOSED_PORT},
    ),
    Service(
        "reconciler",
        smsbus.reconciler,
        ReconcilerSettings,
        lambda sim: _openphone(sim) | {"schedule": False},  # deep runs on POST /runs only
    ),
    Service(
        "health-monitor",
        smsbus.health,
        HealthSettings,
        lambda _: {"enabled": False},  # canaries on POST /checks only
    ),
]


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
async def test_every_operation_under_schemathesis(
    service: Service,
    database_url: str,
    kafka_bootstrap: str,
    db_schema: str,
    registry_topics: RegistryTopics,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await migrate(database_url, schema=db_schema, package=service.package)
    async with running_simulator(demo_history=False, rate_limit_per_second=0) as sim:
        fields: dict[str, Any] = {
            "SMSBUS_DATABASE_URL": database_url,
            "SMSBUS_KAFKA_BOOTSTRAP": kafka_bootstrap,
            "db_schema": db_schema,
            "group_id": unique_name(service.name.replace("-", "_")),
            "topic_overrides": await registry_topics(),
        }
        settings = service.settings(**(fields | service.own(sim)))
        process = await start_process(
            service.package.__name__, settings, prefix=service.prefix, port=free_port()
        )
        try:
            # Schemathesis sends with `requests` (blocking): off this loop, which serves the
            # simulator the service calls.
            report = await asyncio.to_thread(_fuzz, service.name, process.url)
        finally:
            _stop(process)
    with capsys.disabled():
        print(f"\n{report.table()}")  # noqa: T201 (the counts the README records)
    assert not report.failed(), "\n\n".join(report.failures())
    too_few = {key: t.cases for key, t in report.tallies.items() if t.cases < MIN_CASES}
    assert not too_few, f"fewer than {MIN_CASES} cases: {too_few}"


def _fuzz(service: str, url: str) -> Report:
    # Loaded without a token: the schema is documentation, public like /docs (README, Security).
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", timeout=10)
    return fuzz_service(service, schema, CALLERS)


def _stop(process: Process) -> None:
    process.process.terminate()
    process.process.wait(timeout=30)
