"""Line-type lookups through a NumVerify-compatible provider: cached with a TTL, counted against
a monthly quota, off without an API key.

NumVerify wants the key in the query string, which httpx logs with every request; so the key is
added by the transport on the way out (`_AccessKey`), never to the request httpx logs, and no
error message built here holds a URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncConnection

from smsbus.compliance.domain.phones import LineType
from smsbus.compliance.settings import Settings
from smsbus.compliance.store import lookups as store

logger = logging.getLogger(__name__)

PROVIDER = "numverify"

# NumVerify's line types → ours; other NumVerify-compatible providers say "cell", "wireless"
# or "fixed line" for the same kinds.
LINE_TYPES: dict[str, LineType] = {
    "mobile": "mobile",
    "cell": "mobile",
    "cellular": "mobile",
    "wireless": "mobile",
    "landline": "landline",
    "fixed_line": "landline",
    "toll_free": "toll_free",
    "premium_rate": "premium_rate",
    "paging": "pager",
    "voip": "voip",
    "special_services": "unknown",
    "satellite": "unknown",
}


def line_type_of(provider_value: object) -> LineType:
    """Ours for a provider's line type, whatever its case or separators; unknown otherwise."""
    key = "_".join(str(provider_value or "").lower().replace("-", " ").split())
    return LINE_TYPES.get(key, "unknown")


@dataclass(frozen=True)
class LookupUsage:
    """This UTC month's paid lookups against the quota."""

    enabled: bool
    month: str
    used: int
    quota: int

    @property
    def remaining(self) -> int:
        return max(0, self.quota - self.used)


def _month_of(moment: datetime) -> str:
    """The quota's month: UTC (the clock is)."""
    return moment.strftime("%Y-%m")


class LookupFailed(Exception):
    """The provider did not give a usable answer (the message never holds the key or URL)."""


@dataclass(frozen=True)
class LineTypeAnswer:
    line_type: LineType
    carrier: str | None
    source: str
    """`cache` or the provider's name."""
    fetched_at: datetime


@dataclass(frozen=True)
class LookupStatus:
    enabled: bool
    answer: LineTypeAnswer | None
    quota_used: int | None = None
    error: str | None = None


class _AccessKey(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, key: SecretStr | None) -> None:
        self._inner = inner
        self._key = key

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._key is not None:
            url = request.url.copy_merge_params({"access_key": self._key.get_secret_value()})
            request = httpx.Request(
                request.method,
                url,
                headers=request.headers,
                stream=request.stream,
                extensions=request.extensions,
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class LineTypeLookup:
    def __init__(
        self,
        *,
        url: str,
        api_key: SecretStr | None,
        ttl: timedelta,
        monthly_quota: int,
        clock: Callable[[], datetime],
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`transport` replaces the network (tests)."""
        inner = transport or httpx.AsyncHTTPTransport()
        self._http = httpx.AsyncClient(transport=_AccessKey(inner, api_key), timeout=timeout)
        self._url = url.rstrip("/")
        self._key = api_key
        self._ttl = ttl
        self._quota = monthly_quota
        self._clock = clock

    @classmethod
    def of(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> LineTypeLookup:
        return cls(
            url=settings.numverify_url,
            api_key=settings.numverify_api_key,
            ttl=timedelta(hours=settings.lookup_cache_ttl_hours),
            monthly_quota=settings.lookup_monthly_quota,
            clock=clock,
            timeout=settings.lookup_timeout,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def enabled(self) -> bool:
        return self._key is not None and bool(self._key.get_secret_value().strip())

    async def usage(self, conn: AsyncConnection) -> LookupUsage:
        month = _month_of(self._clock())
        used = await store.requests_in(conn=conn, month=month)
        return LookupUsage(enabled=self.enabled, month=month, used=used, quota=self._quota)

    async def cached(self, conn: AsyncConnection, *, phone: str) -> LineTypeAnswer | None:
        row = await store.cached(conn=conn, phone=phone, now=self._clock())
        if row is None:
            return None
        return LineTypeAnswer(row["line_type"], row["carrier"], "cache", row["fetched_at"])

    async def cached_many(self, conn: AsyncConnection, *, phones: list[str]) -> dict[str, LineType]:
        return await store.cached_line_types(conn=conn, phones=phones, now=self._clock())

    async def look_up(self, conn: AsyncConnection, *, phone: str) -> LookupStatus:
        """The cached answer, else one paid lookup if enabled and within the month's quota.
        `conn` is an autocommit connection: the quota counts a request even if it fails."""
        if not self.enabled:
            return LookupStatus(enabled=False, answer=None)
        if (hit := await self.cached(conn, phone=phone)) is not None:
            return LookupStatus(enabled=True, answer=hit)
        now = self._clock()
        used = await store.count_request(conn=conn, month=_month_of(now), quota=self._quota)
        if used is None:
            return LookupStatus(enabled=True, answer=None, error="monthly lookup quota reached")
        try:
            payload = await self._fetch(phone)
        except LookupFailed as exc:
            logger.warning("line-type lookup failed: %s", exc)
            return LookupStatus(enabled=True, answer=None, quota_used=used, error=str(exc))
        answer = LineTypeAnswer(
            line_type_of(payload.get("line_type")),
            (str(payload["carrier"]) if payload.get("carrier") else None),
            PROVIDER,
            now,
        )
        await store.save(
            conn=conn, phone=phone, provider=PROVIDER, line_type=answer.line_type,
            carrier=answer.carrier, payload=payload, fetched_at=now, expires_at=now + self._ttl,
        )  # fmt: skip
        return LookupStatus(enabled=True, answer=answer, quota_used=used)

    async def _fetch(self, phone: str) -> dict[str, Any]:
        params = {"number": phone.lstrip("+")}
        try:
            response = await self._http.get(f"{self._url}/validate", params=params)
        except httpx.HTTPError as exc:
            raise LookupFailed(f"provider unreachable ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise LookupFailed(f"provider answered {response.status_code}")
        try:
            payload = response.json()
        except ValueError:
            raise LookupFailed("provider answered something that is not JSON") from None
        if not isinstance(payload, dict):
            raise LookupFailed("provider answered an unexpected shape")
        if payload.get("success") is False or "error" in payload:
            error = payload.get("error") or {}
            info = error.get("type") or error.get("code") if isinstance(error, dict) else None
            raise LookupFailed(f"provider refused the lookup ({info or 'no detail'})")
        return payload
