"""What every REST router shares: the API-key check, query parsing OpenPhone's way, answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Protocol, Self, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel

from smsbus.contracts.rest import ErrorDetail
from smsbus.openphone_sim.errors import ApiError, validation_error
from smsbus.openphone_sim.pagination import Page, newest_first
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


class Listed(Protocol):
    """What a paginated list orders by: the workspace numbers items in their creation order."""

    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> datetime | None: ...


L = TypeVar("L", bound=Listed)


def newest_page(request: Request, sim: Simulator, items: Sequence[L]) -> dict[str, Any]:
    """A paginated list's answer: newest first, `maxResults` a page, resumed at `pageToken`."""
    workspace = sim.workspace
    page = newest_first(
        items,
        position=lambda item: workspace.position(item.id, item.created_at),
        max_results=max_results(request),
        page_token=request.query_params.get("pageToken"),
    )
    return page_answer(page)


class Activity(Protocol):
    """A message or a call, as a line's activity list filters it."""

    @property
    def phone_number_id(self) -> str | None: ...

    @property
    def user_id(self) -> str | None: ...

    @property
    def created_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class ActivityQuery:
    """The query of `/v1/messages` and `/v1/calls`: one line (phoneNumberId), the participants
    (required), a creation window (createdAfter, createdBefore or its older name since), userId."""

    line_id: str
    participants: list[str]
    after: datetime | None
    before: datetime | None
    user_id: str | None

    @classmethod
    def of(cls, request: Request, sim: Simulator, *, one_participant: bool = False) -> Self:
        """Checked in OpenPhone's order: the line, the participants, then the other parameters."""
        line = sim.workspace.line(required(request, "phoneNumberId"))
        participants = list_param(request, "participants")
        if not participants:
            raise ApiError(400, "participants is required")
        if one_participant and len(participants) > 1:
            raise ApiError(
                400, "Too Many Participants", code="0101400", title="Too Many Participants"
            )
        return cls(
            line_id=line.id,
            participants=participants,
            after=timestamp(request, "createdAfter"),
            before=timestamp(request, "createdBefore") or timestamp(request, "since"),
            user_id=request.query_params.get("userId"),
        )

    def admits(self, activity: Activity) -> bool:
        """On the line, in the window and by the user asked for (participants are the caller's)."""
        return (
            activity.phone_number_id == self.line_id
            and within(activity.created_at, after=self.after, before=self.before)
            and (self.user_id is None or activity.user_id == self.user_id)
        )
