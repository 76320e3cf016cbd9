"""What every REST router shares: the API-key check, query parsing OpenPhone's way, answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel

from smsbus.contracts.rest import ErrorDetail
from smsbus.openphone_sim.errors import ApiError, validation_error
from smsbus.openphone_sim.pagination import Page
from smsbus.openphone_sim.payloads.wire import wire
from smsbus.openphone_sim.simulator import Simulator

MAX_RESULTS = 100
DEFAULT_RESULTS = 10


def simulator(request: Request) -> Simulator:
    sim = request.app.state.simulator
    assert isinstance(sim, Simulator)
    return sim


SimDep = Annotated[Simulator, Depends(simulator)]


def require_api_key(request: Request, sim: SimDep) -> None:
    """OpenPhone takes the raw key in `Authorization`: no `Bearer`."""
    if request.headers.get("authorization") not in sim.settings.api_keys:
        raise ApiError(401, "Invalid or missing API key", title="Unauthorized")


def _bad(name: str, message: str, value: Any = None) -> ApiError:
    return validation_error([ErrorDetail(path=f"/{name}", message=message, value=value)], message)


def list_param(request: Request, name: str) -> list[str]:
    """`name[]=a&name[]=b`, `name=a&name=b` and `name=a,b` all mean [a, b]."""
    values = request.query_params.getlist(name) + request.query_params.getlist(f"{name}[]")
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if not value:
        raise _bad(name, f"{name} is required")
    return value


def max_results(request: Request) -> int:
    raw = request.query_params.get("maxResults", str(DEFAULT_RESULTS))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_RESULTS:
        raise _bad("maxResults", f"maxResults must be an integer from 1 to {MAX_RESULTS}", raw)
    return int(raw)


def timestamp(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(name, f"{name} must be an ISO 8601 date-time", raw) from None
    if moment.tzinfo is None:
        raise _bad(name, f"{name} must carry a time zone (e.g. Z)", raw)
    return moment


def within(moment: datetime | None, *, after: datetime | None, before: datetime | None) -> bool:
    if moment is None:
        return False
    return (after is None or moment >= after) and (before is None or moment < before)


def data_answer(model: BaseModel) -> dict[str, Any]:
    return {"data": wire(model)}


def items_answer(models: Sequence[BaseModel]) -> dict[str, Any]:
    """`{"data": [...]}`: the unpaginated lists (phone numbers, recordings, webhooks)."""
    return {"data": [wire(model) for model in models]}


def page_answer(page: Page[Any]) -> dict[str, Any]:
    """`ListResponse`'s shape: `{"data", "totalItems", "nextPageToken"}` (null on the last page)."""
    return {
        "data": [wire(item) for item in page.items],
        "totalItems": page.total_items,
        "nextPageToken": page.next_page_token,
    }
