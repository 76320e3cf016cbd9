"""OpenPhone's v1 error envelope for every failure the REST API answers (openphone.md §5.7)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from smsbus.contracts.rest import ErrorBody, ErrorDetail
from smsbus.openphone_sim.pagination import BadPageTokenError
from smsbus.openphone_sim.workspace import NotFoundError

DOCS = "https://openphone.com/docs"

# status → (code, title) for errors without a more specific code.
GENERIC: dict[int, tuple[str, str]] = {
    400: ("0200400", "Bad Request"),
    401: ("0200401", "Unauthorized"),
    402: ("0200402", "Not Enough Credits"),
    403: ("0202403", "Forbidden"),
    404: ("0200404", "Not Found"),
    405: ("0200405", "Method Not Allowed"),
    429: ("0200429", "Too Many Requests"),
    500: ("0201500", "Unknown"),
    502: ("0201502", "Bad Gateway"),
    503: ("0201503", "Service Unavailable"),
    504: ("0201504", "Gateway Timeout"),
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        title: str | None = None,
        errors: list[ErrorDetail] | None = None,
    ) -> None:
        super().__init__(message)
        generic_code, generic_title = GENERIC.get(status, (f"0200{status}", "Error"))
        self.body = ErrorBody(
            message=message,
            code=code or generic_code,
            status=status,
            docs=DOCS,
            title=title or generic_title,
            errors=errors or [],
        )

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return envelope(self.body, headers=headers)


def envelope(body: ErrorBody, *, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        body.model_dump(by_alias=True, exclude_none=True), status_code=body.status, headers=headers
    )


def daily_cap_error() -> ApiError:
    return ApiError(
        403,
        "A2P 10DLC Daily Message Cap Reached",
        code="0204403",
        title="A2P 10DLC Daily Message Cap Reached",
    )


def validation_error(errors: list[ErrorDetail], message: str = "Invalid request") -> ApiError:
    return ApiError(400, message, errors=errors)


def _details(exc: RequestValidationError) -> list[ErrorDetail]:
    details = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        if location and location[0] in ("body", "query", "path"):
            location = location[1:]
        value: Any = error.get("input")
        details.append(
            ErrorDetail(
                path="/" + "/".join(location),
                message=str(error.get("msg", "invalid")),
                value=value if isinstance(value, str | int | float | bool | None) else None,
                schema={"type": str(error.get("type", "unknown"))},
            )
        )
    return details


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return exc.response()

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        details = _details(exc)
        first = f"{details[0].path}: {details[0].message}" if details else "Invalid request"
        return validation_error(details, first).response()

    async def on_not_found(_: Request, exc: Exception) -> JSONResponse:
        return ApiError(404, str(exc)).response()

    async def on_bad_token(_: Request, exc: Exception) -> JSONResponse:
        return ApiError(400, str(exc)).response()

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return ApiError(exc.status_code, str(exc.detail)).response(headers=headers)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(NotFoundError, on_not_found)
    app.add_exception_handler(BadPageTokenError, on_bad_token)
    app.add_exception_handler(HTTPException, on_http)
