"""Bearer tokens with scopes on every service API (DESIGN §3c).

`SMSBUS_API_TOKENS` is a comma-separated list of `name:token:scopes`, scopes joined by `+`.
A name may appear twice (two tokens during a rotation). Tokens are compared in constant time
and never logged; `protect()` puts the check on every route of a router, with the scope in the
operation's description, so OpenAPI shows the bearer scheme and /docs' Authorize button works.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, cast, get_args

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Security
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import SecretStr
from starlette.routing import compile_path
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as ASGIScope

from smsbus.runtime.api_types import (
    answer_invalid_requests_in_ascii,
    document_unreadable_bodies,
    error,
)

Scope = Literal["read", "consent", "campaigns", "operations", "all"]
SCOPES: Final = frozenset(get_args(Scope))
SETTING: Final = "SMSBUS_API_TOKENS"
MIN_LENGTH: Final = 32
READS: Final = frozenset({"GET", "HEAD"})


class TokenError(SystemExit):
    """`SMSBUS_API_TOKENS` is missing or malformed: the service must not start. A SystemExit,
    so start-up ends with this message alone (exit status 1), not a traceback."""


@dataclass(frozen=True)
class Caller:
    name: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class _Token:
    value: bytes
    caller: Caller


class ApiTokens:
    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens

    @classmethod
    def parse(cls, setting: SecretStr | str | None) -> ApiTokens:
        raw = setting.get_secret_value() if isinstance(setting, SecretStr) else setting
        if not raw or not raw.strip():
            raise TokenError(
                f"{SETTING} is not set: give every service `name:token:scopes` entries "
                f"(e.g. ops:<{MIN_LENGTH}+ random characters>:all); `make up` generates one"
            )
        tokens = [_entry(i, part.strip()) for i, part in enumerate(raw.split(",")) if part.strip()]
        return cls(tokens)

    def caller(self, presented: str) -> Caller | None:
        given = presented.encode()
        found = None
        for token in self._tokens:  # no early exit: the time taken says nothing about a match
            if hmac.compare_digest(token.value, given):
                found = token.caller
        return found


def _entry(index: int, entry: str) -> _Token:
    parts = entry.split(":")
    if len(parts) != 3 or not parts[0]:
        raise TokenError(f"{SETTING} entry {index + 1} is not `name:token:scopes`")
    name, token, scopes = parts
    if len(token) < MIN_LENGTH:
        raise TokenError(
            f"{SETTING} entry {index + 1} ({name}): "
            f"the token is shorter than {MIN_LENGTH} characters"
        )
    wanted = frozenset(s for s in scopes.split("+") if s)
    unknown = wanted - SCOPES
    if not wanted or unknown:
        raise TokenError(
            f"{SETTING} entry {index + 1} ({name}): scopes must be from {'+'.join(sorted(SCOPES))}"
        )
    return _Token(token.encode(), Caller(name, wanted))


def first_all_token(setting: str) -> str | None:
    """The first `all` token of a `SMSBUS_API_TOKENS` value (what local callers use)."""
    for entry in setting.split(","):
        parts = entry.strip().split(":")
        if len(parts) == 3 and "all" in parts[2].split("+"):
            return parts[1]
    return None


_bearer = HTTPBearer(auto_error=False, description=f"A token from {SETTING}.")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


@dataclass(frozen=True)
class Rule:
    """Which scope a request needs: `read` for GET/HEAD and for `reads` (queries sent as POST,
    by path), `writes` for everything else."""

    writes: Scope
    reads: frozenset[str] = frozenset()

    def scope(self, method: str, path: str) -> Scope:
        return "read" if method.upper() in READS or path in self.reads else self.writes


def _bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (what HTTPBearer reads)."""
    scheme, token = get_authorization_scheme_param(authorization)
    return token if scheme.lower() == "bearer" and token else None


def _admit(tokens: ApiTokens, rule: Rule, token: str | None, request: Request) -> Caller:
    if token is None:
        raise _unauthorized("a bearer token is required")
    caller = tokens.caller(token)
    if caller is None:
        raise _unauthorized("unknown token")
    scope = rule.scope(request.method, _routed_path(request))
    if scope not in caller.scopes and "all" not in caller.scopes:
        raise HTTPException(403, detail=f"this token lacks the {scope!r} scope")
    request.state.caller = caller
    return caller


def requires(tokens: ApiTokens, rule: Rule) -> Callable[..., Awaitable[Caller]]:
    """The dependency that admits a token holding the request's scope (or `all`) and records
    its caller for `CallerDep`; it also puts the bearer scheme on the operation's OpenAPI."""

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> Caller:
        return _admit(tokens, rule, credentials.credentials if credentials else None, request)

    return check


class _TokenFirst:
    """The same check as the dependency, made before FastAPI reads the body (it reads and
    parses the body before it solves dependencies): without the right token the answer is 401
    or 403 whatever the body, never a 400 or 422 that tells an unknown caller how its input
    was read. The dependency stays: it records the caller and documents the bearer scheme."""

    def __init__(self, app: ASGIApp, *, tokens: ApiTokens, rule: Rule, paths: set[str]) -> None:
        self.app = app
        self.tokens = tokens
        self.rule = rule
        self.patterns = [compile_path(path)[0] for path in paths]

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            if any(pattern.match(_routed_path(request)) for pattern in self.patterns):
                token = _bearer_token(request.headers.get("authorization"))
                try:
                    _admit(self.tokens, self.rule, token, request)
                except HTTPException as refused:
                    answer = JSONResponse(
                        {"detail": refused.detail}, refused.status_code, headers=refused.headers
                    )
                    await answer(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def _routed_path(request: Request) -> str:
    """The path as the router matches it: not `request.url.path`, which is parsed again from
    the URL, and URL parsing drops tabs and line breaks ("/v1/lists/%0D/members" would match
    no pattern here while the router still found the route)."""
    path: str = request.scope["path"]
    return path


def _paths(router: APIRouter) -> set[str]:
    """The paths of `router`'s operations, nested routers' included (FastAPI keeps those as
    routers of their own, not as routes of `router`)."""
    return set(get_openapi(title="", version="", routes=router.routes).get("paths", {}))


REFUSALS: Final[dict[int | str, dict[str, Any]]] = {
    401: error(f"No bearer token, or one {SETTING} does not hold.")
    | {"headers": {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}}},
    403: error("The token lacks this operation's scope."),
}
"""Documented on every protected operation: a client (and a fuzzer) knows what to expect."""


def protect(
    app: FastAPI,
    router: APIRouter,
    tokens: ApiTokens,
    *,
    writes: Scope,
    reads: frozenset[str] = frozenset(),
) -> None:
    """Include `router` with every route behind a token, and name each operation's scope in the
    OpenAPI description (the bearer scheme itself comes from the dependency). Also what every
    API answers alike: 401/403 and the unreadable body's 400 documented, 422s written in ASCII
    (api_types.py)."""
    rule = Rule(writes, reads)
    app.include_router(router, dependencies=[Depends(requires(tokens, rule))], responses=REFUSALS)
    # only this router's operations: another protect() on the same app annotates its own
    mine = _paths(router)
    app.add_middleware(_TokenFirst, tokens=tokens, rule=rule, paths=mine)
    answer_invalid_requests_in_ascii(app)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            document_unreadable_bodies(schema, mine)
            for path, operations in schema.get("paths", {}).items():
                if path not in mine:
                    continue
                for method, operation in operations.items():
                    if isinstance(operation, dict) and operation.get("security"):
                        scope = rule.scope(method, path)
                        note = f"Requires a bearer token with the `{scope}` scope (or `all`)."
                        operation["description"] = (
                            f"{operation.get('description', '')}\n\n{note}".strip()
                        )
                        operation["x-required-scope"] = scope
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def current_caller(request: Request) -> Caller:
    caller = getattr(request.state, "caller", None)
    if caller is None:  # a route outside protect(): a wiring bug, not the client's fault
        raise RuntimeError("no authenticated caller on this route")
    return cast(Caller, caller)


CallerDep = Annotated[Caller, Depends(current_caller)]
