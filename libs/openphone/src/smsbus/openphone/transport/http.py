"""One request to OpenPhone: wait for the key's token, send, map errors, retry per the policy."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from pydantic import SecretStr, ValidationError

from smsbus.contracts.rest import ErrorBody
from smsbus.openphone.budget import Budget, Priority
from smsbus.openphone.errors import (
    OpenPhoneError,
    OpenPhoneException,
    OpenPhoneUnreachable,
    RateLimited,
    ServerError,
    error_for,
)
from smsbus.openphone.query import Params, encode_query
from smsbus.openphone.transport.retry import (
    Failure,
    RetryPolicy,
    Verdict,
    delay,
    parse_retry_after,
    verdict,
)

log = logging.getLogger("smsbus.openphone")

Sleep = Callable[[float], Awaitable[None]]
Now = Callable[[], datetime]
UnknownOutcome = Callable[[str, int | None, ErrorBody | None], OpenPhoneException]
"""Builds the error for a request whose effect may have happened: (reason, status, body)."""

# Failures before a single byte of the request left: always safe to repeat.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
USER_AGENT = "smsbus-openphone/0.1"


@dataclass(frozen=True)
class Failed:
    """One attempt that did not get a 2xx."""

    failure: Failure
    error: OpenPhoneException
    retry_after: float | None = None


def utc_now() -> datetime:
    return datetime.now(UTC)


def unreachable(reason: str, cause: httpx.TransportError) -> OpenPhoneUnreachable:
    error = OpenPhoneUnreachable(f"{reason} ({type(cause).__name__})")
    error.__cause__ = cause  # the traceback shows httpx's error; its text holds no header
    return error


def read_error_body(response: httpx.Response) -> ErrorBody | None:
    try:
        return ErrorBody.model_validate_json(response.content)
    except ValidationError:
        return None


@dataclass(kw_only=True)
class Transport:
    http: httpx.AsyncClient
    base_url: str
    """Without a trailing slash (the client strips it)."""
    api_key: SecretStr
    bucket: Budget
    policy: RetryPolicy
    priority: Priority = "transactional"
    sleep: Sleep = asyncio.sleep
    rand: Callable[[], float] = random.random
    now: Now = utc_now
    user_agent: str = USER_AGENT

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = (),
        body: bytes | None = None,
        unknown_outcome: UnknownOutcome | None = None,
        prepaid: bool = False,
    ) -> httpx.Response:
        """A 2xx answer, or the error. `unknown_outcome` marks the request as not repeatable:
        when it may have taken effect without an answer to show for it, that error is raised.
        `prepaid`: the caller already took the first attempt's slot (`Budget.acquire`)."""
        url = self.base_url + path + (f"?{encode_query(params)}" if params else "")
        headers = {
            # OpenPhone's auth: the raw key, no "Bearer".
            "Authorization": self.api_key.get_secret_value(),
            "Accept": "application/json",
            "User-Agent": self.user_agent,
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1 or not prepaid:
                await self.bucket.acquire(self.priority)
            outcome = await self._attempt(f"{method} {path}", method, url, headers, body)
            if isinstance(outcome, httpx.Response):
                return outcome
            failure, error, retry_after = outcome.failure, outcome.error, outcome.retry_after
            decided = verdict(failure, repeatable=unknown_outcome is None)
            if decided is Verdict.OUTCOME_UNKNOWN and unknown_outcome is not None:
                answered = error if isinstance(error, OpenPhoneError) else None
                raise unknown_outcome(
                    str(error),
                    answered.status if answered else None,
                    answered.body if answered else None,
                ) from error
            if decided is not Verdict.RETRY or attempt >= self.policy.max_attempts:
                raise error
            if retry_after is not None and retry_after > self.policy.max_retry_after:
                raise error
            wait = delay(self.policy, attempt, self.rand(), retry_after)
            if failure is Failure.RATE_LIMITED:
                await self.bucket.throttled(wait)  # every caller on this key backs off
            log.warning(
                "openphone %s %s: %s; retry %d of %d in %.2fs",
                method,
                path,
                error,
                attempt,
                self.policy.max_attempts - 1,
                wait,
            )
            await self.sleep(wait)

    async def _attempt(
        self, what: str, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> httpx.Response | Failed:
        try:
            response = await self.http.request(method, url, headers=headers, content=body)
        except NOT_SENT_ERRORS as exc:
            return Failed(Failure.NOT_SENT, unreachable(f"{what}: could not connect", exc))
        except httpx.TransportError as exc:
            return Failed(Failure.NO_ANSWER, unreachable(f"{what}: sent, but no answer", exc))
        if response.is_success:
            return response
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=self.now())
        error = error_for(
            response.status_code,
            read_error_body(response),
            fallback_message=response.reason_phrase,
            retry_after=retry_after,
        )
        if isinstance(error, RateLimited):
            return Failed(Failure.RATE_LIMITED, error, retry_after)
        if isinstance(error, ServerError):
            return Failed(Failure.SERVER_ERROR, error, retry_after)
        return Failed(Failure.REFUSED, error)
