"""Line-type lookups: cached with a TTL, counted against the monthly quota, key never shown."""

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from smsbus.compliance.lookup import LineTypeLookup

pytestmark = pytest.mark.integration

KEY = "nv-secret-3f9a1c77e0"
PHONE = "+14155552671"


class Provider:
    """A NumVerify stand-in on an httpx MockTransport; refuses any other host."""

    def __init__(self, answer: dict | None = None, status: int = 200) -> None:
        self.calls: list[httpx.Request] = []
        self.answer = answer or {
            "valid": True,
            "number": "14155552671",
            "line_type": "landline",
            "carrier": "AT&T",
        }
        self.status = status

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.host == "numverify.test", f"unexpected host {request.url.host}"
        self.calls.append(request)
        return httpx.Response(self.status, content=json.dumps(self.answer).encode())


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def make(
    provider: Provider, clock: Clock, *, key: str | None = KEY, quota: int = 2
) -> LineTypeLookup:
    return LineTypeLookup(
        transport=httpx.MockTransport(provider),
        url="https://numverify.test/api",
        api_key=SecretStr(key) if key else None,
        ttl=timedelta(days=30),
        monthly_quota=quota,
        clock=clock,
    )


async def look(engine: AsyncEngine, lookup: LineTypeLookup, phone: str = PHONE):
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        return await lookup.look_up(conn, phone=phone)


async def test_off_without_a_key(engine: AsyncEngine) -> None:
    provider = Provider()
    status = await look(engine, make(provider, Clock(), key=None))
    assert (status.enabled, status.answer, provider.calls) == (False, None, [])


async def test_one_paid_lookup_then_the_cache_until_it_expires(engine: AsyncEngine) -> None:
    provider, clock = Provider(), Clock()
    lookup = make(provider, clock, quota=10)

    first = await look(engine, lookup)
    second = await look(engine, lookup)
    clock.now += timedelta(days=31)
    third = await look(engine, lookup)

    assert first.answer is not None
    assert second.answer is not None
    assert third.answer is not None
    assert (first.answer.line_type, first.answer.carrier, first.answer.source) == (
        "landline",
        "AT&T",
        "numverify",
    )
    assert second.answer.source == "cache"
    assert third.answer.source == "numverify"
    assert len(provider.calls) == 2
    assert provider.calls[0].url.params["number"] == "14155552671"
    assert provider.calls[0].url.params["access_key"] == KEY


async def test_the_monthly_quota_stops_paid_lookups_until_next_month(engine: AsyncEngine) -> None:
    provider, clock = Provider(), Clock()
    lookup = make(provider, clock, quota=2)

    answers = [await look(engine, lookup, f"+1415555267{n}") for n in range(3)]

    assert [a.quota_used for a in answers] == [1, 2, None]
    assert answers[2].error == "monthly lookup quota reached"
    assert len(provider.calls) == 2
    clock.now += timedelta(days=31)
    assert (await look(engine, lookup, "+14155552679")).quota_used == 1


async def test_a_provider_error_never_shows_the_key(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = Provider({"success": False, "error": {"code": 101, "type": "invalid_access_key"}})

    status = await look(engine, make(provider, Clock()))

    assert status.answer is None
    assert status.error == "provider refused the lookup (invalid_access_key)"
    assert KEY not in caplog.text
    assert provider.calls[0].url.params["access_key"] == KEY  # the provider did get it


async def test_an_unreachable_provider_is_an_error_without_the_url(
    engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}")

    lookup = LineTypeLookup(
        transport=httpx.MockTransport(refuse),
        url="https://numverify.test/api",
        api_key=SecretStr(KEY),
        ttl=timedelta(days=1),
        monthly_quota=5,
        clock=Clock(),
    )
    status = await look(engine, lookup)

    assert status.error == "provider unreachable (ConnectError)"
    assert KEY not in caplog.text
