"""What the routes of the two kinds of import (DNC lists, consent) share: the job's id in the
path, the listing's limit, the `Location` of a started job, its 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException, Path, Query, Request, Response

from smsbus.runtime.api_types import INT64_MAX

ImportId = Annotated[int, Path(ge=1, le=INT64_MAX)]
ListLimit = Annotated[int, Query(ge=1, le=1000)]


def locate(request: Request, response: Response, route: str, import_id: int) -> None:
    """Points `Location` at the job's status (the route named `route`)."""
    response.headers["Location"] = request.url_for(route, import_id=import_id).path


def found(row: dict[str, Any] | None, what: str, import_id: int) -> dict[str, Any]:
    if row is None:
        raise HTTPException(status_code=404, detail=f"no {what} {import_id}")
    return row
