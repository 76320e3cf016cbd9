"""What every service API shares at its boundary, so that hostile input gets a documented 4xx
rather than a 500 from PostgreSQL (issue 13's fuzzing found each of these):

- `StrictBody`: the base of our request bodies. Unknown fields are refused, and so is text
  PostgreSQL cannot store: NUL (U+0000) in `text` or `jsonb`, and a lone surrogate (`"\\ud800"`
  is valid JSON but no UTF-8). `StorableBody` refuses that text alone (a provider's payload).
- `StoredText`: the same for a path, query or form parameter that reaches the database;
  `stored_filename()` for the name of an upload.
- `StoredInstant` / `StoredDatetime`: a time whose UTC value exists (`0001-01-01T00:00+14:00`
  is valid ISO 8601 but falls before year 1 in UTC, which the driver cannot convert) and
  comes back as itself (`0001-01-01T00:00Z` is read back without its offset).
- `INT32_MAX` / `INT64_MAX`: the bounds of the `integer` / `bigint` columns an input lands in.
- `Detail` and `error()`: the body of an HTTPException, to document 404, 409… on an operation.
- `document_unreadable_bodies()`: FastAPI answers 400 to a body it cannot read (not UTF-8
  JSON, broken multipart) on any operation that takes one: documented there.
- `answer_invalid_requests_in_ascii()`: FastAPI's 422 echoes the input; with a lone surrogate
  in it the answer itself could not be written (a 500), so it is written as ASCII JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import FastAPI, HTTPException, Request, Response, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    model_validator,
)

INT32_MAX: Final = 2**31 - 1
INT64_MAX: Final = 2**63 - 1
UNSTORABLE = "text must not contain NUL (U+0000) or a lone surrogate"


def storable(value: Any) -> bool:
    """Whether every string in `value` (keys included, at any depth) fits a PostgreSQL text."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode()
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(storable(key) and storable(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(storable(item) for item in value)
    return True


def _stored_text(value: str) -> str:
    if not storable(value):
        raise ValueError(UNSTORABLE)
    return value


StoredText = Annotated[str, AfterValidator(_stored_text)]
"""A string parameter (path, query, form) that a query or a row of PostgreSQL receives."""


_FIRST_INSTANT: Final = datetime.min.replace(tzinfo=UTC)


def _utc_representable(value: datetime) -> datetime:
    if value.tzinfo is not None:
        try:
            in_utc = value.astimezone(UTC)
        except OverflowError:
            raise ValueError("out of range once in UTC (years 1 to 9999)") from None
        # asyncpg reads 0001-01-01T00:00Z back as a naive datetime.min (its -infinity).
        if in_utc == _FIRST_INSTANT:
            raise ValueError("out of range once in UTC (after 0001-01-01T00:00Z to 9999)")
    return value


def _written_as_text(value: Any) -> Any:
    # pydantic would read a number as Unix time; the schema says an RFC 3339 string.
    if isinstance(value, int | float):
        raise ValueError("a date-time is written as RFC 3339 text, not a number")
    return value


StoredInstant = Annotated[
    AwareDatetime, BeforeValidator(_written_as_text), AfterValidator(_utc_representable)
]
"""A moment with its offset, that a `timestamptz` column can receive."""
StoredDatetime = Annotated[
    datetime, BeforeValidator(_written_as_text), AfterValidator(_utc_representable)
]
"""The same, the offset optional (a query's bound)."""


def stored_filename(upload: UploadFile) -> str | None:
    """The name a client gave its upload (it is kept with the import), or a 422 if PostgreSQL
    could not store it."""
    if upload.filename is not None and not storable(upload.filename):
        message = f"the file's name: {UNSTORABLE}"
        detail = [{"loc": ["body", "file"], "msg": message, "type": "value_error"}]
        raise HTTPException(status_code=422, detail=detail)
    return upload.filename


class StorableBody(BaseModel):
    """A request body whose every string is storable; for a provider's payload (Alertmanager's),
    whose fields added later are ignored."""

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        if not storable(data):
            raise ValueError(UNSTORABLE)
        return data


class StrictBody(StorableBody):
    """Our own request bodies: unknown fields refused too."""

    model_config = ConfigDict(extra="forbid")


class Detail(BaseModel):
    """Why a request was refused (an HTTPException's body)."""

    detail: str


Responses = dict[int | str, dict[str, Any]]
"""FastAPI's `responses=` of an operation."""


def started_job() -> dict[str, Any]:
    """A 202 that starts a background job, its status at the `Location` header's URL:
    `responses={202: started_job()}`."""
    header = {"description": "the job's status", "schema": {"type": "string"}}
    return {"headers": {"Location": header}}


def error(description: str) -> dict[str, Any]:
    """An operation's documented error answer: `responses={404: error("No such campaign.")}`."""
    return {"model": Detail, "description": description}


UNREADABLE: Final = {
    "description": "The body could not be read (JSON not in UTF-8, broken multipart).",
    "content": {"application/json": {"schema": Detail.model_json_schema()}},
}


def document_unreadable_bodies(schema: dict[str, Any], paths: set[str]) -> None:
    """Adds FastAPI's 400 to every operation of `paths` that takes a body."""
    for path, operations in schema.get("paths", {}).items():
        if path not in paths:
            continue
        for operation in operations.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("400", UNREADABLE)


async def _invalid_request(_: Request, exc: Exception) -> Response:
    """FastAPI's own 422 (`{"detail": [{loc, msg, type, input…}]}`), `\\uXXXX`-escaped."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    content = json.dumps({"detail": jsonable_encoder(errors)}, separators=(",", ":"))
    return Response(content, status_code=422, media_type="application/json")


def answer_invalid_requests_in_ascii(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
