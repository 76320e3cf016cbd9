import httpx
import pytest
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.runtime.db import make_engine
from smsbus.runtime.health import database_check, health_router, kafka_check
from smsbus.runtime.kafka import make_broker
from smsbus.runtime.metrics import Metrics, metrics_router
from smsbus.runtime.stalls import Stalls

pytestmark = pytest.mark.integration


def app_with(checks: dict, metrics: Metrics | None = None) -> httpx.AsyncClient:
    app = FastAPI()
    app.include_router(health_router(checks, timeout=3.0))
    app.include_router(metrics_router(metrics or Metrics("runtime-tests")))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc")


async def test_ready_when_broker_and_database_answer(
    broker: KafkaBroker, db_engine: AsyncEngine
) -> None:
    await broker.start()
    async with app_with(
        {"kafka": kafka_check(broker), "database": database_check(db_engine)}
    ) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"kafka": "ok", "database": "ok"}}


async def test_not_ready_says_which_check_failed(db_engine: AsyncEngine) -> None:
    unreachable_db = make_engine("postgresql+asyncpg://smsbus@127.0.0.1:1/smsbus", schema="x")
    never_started = make_broker("127.0.0.1:1", client_id="runtime-tests")
    stalls = Stalls()
    stalls.stall(
        group_id="g", topic="t.v1", partition=0, offset=5, attempts=3, error="OSError: down"
    )
    checks = {
        "database": database_check(db_engine),
        "other_database": database_check(unreachable_db),
        "kafka": kafka_check(never_started, timeout=0.5),
        "consumers": stalls.check(),
    }
    try:
        async with app_with(checks) as client:
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
    finally:
        await unreachable_db.dispose()
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["other_database"].startswith(("OSError", "ConnectionRefusedError"))
    assert body["checks"]["kafka"] == "NotReadyError: broker did not answer"
    assert "t.v1[0]@5" in body["checks"]["consumers"]
    assert "after 3 attempts: OSError: down" in body["checks"]["consumers"]


async def test_metrics_are_exposed_with_service_names() -> None:
    metrics = Metrics("runtime-tests")
    metrics.events_handled.labels(topic="t.v1", outcome="handled").inc()
    own = metrics.counter("widgets_made_total", "Widgets.", ["outcome"])
    own.labels(outcome="ok").inc(2)
    async with app_with({}, metrics) as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'smsbus_runtime_tests_events_handled_total{outcome="handled",topic="t.v1"} 1.0' in text
    assert 'smsbus_runtime_tests_widgets_made_total{outcome="ok"} 2.0' in text
    assert "smsbus_runtime_tests_outbox_pending_events" in text


@pytest.mark.parametrize(
    ("kind", "what"),
    [("counter", "no_suffix"), ("histogram", "latency_ms"), ("gauge", "Bad-Name")],
)
def test_metric_names_follow_the_rules(kind: str, what: str) -> None:
    with pytest.raises(ValueError, match=r"name|_total|seconds"):
        getattr(Metrics("runtime-tests"), kind)(what, "doc")
