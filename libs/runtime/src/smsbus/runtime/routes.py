"""What a consuming service gives the runtime: which event types it acts on, and how.

A handler is a function of one event and the batch's `Unit` (its transaction). The runtime
opens the transaction, writes the inbox rows, calls the handlers in order and commits; a
handler only reads and writes through `unit.session` (and `add_to_outbox`). Where handling a
whole run of events at once pays (one lock statement and one state read for many numbers), a
route may be `Batched`: it gets consecutive events of its type together, in order.

Types missing from the routes are not handled at all: no inbox row, no transaction; an `Only`
route does the same for the events of its type it does not want. Which types a service routes
is the topic registry's word (`handled_by`): `subscriptions` refuses routes that differ from it,
and derives the topics to subscribe to from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from smsbus.contracts import EVENT_TYPES, Envelope, handled_by, route_for


@dataclass(slots=True)
class Unit:
    """One batch's transaction, as its handlers see it."""

    session: AsyncSession
    _committed: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, action: Callable[[], None]) -> None:
        """Runs `action` once the transaction committed (metrics of what really happened)."""
        self._committed.append(action)

    def run_committed(self) -> None:
        for action in self._committed:
            action()


Handler = Callable[[Envelope[Any], Unit], Awaitable[None]]
BatchHandler = Callable[[Sequence[Envelope[Any]], Unit], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Batched:
    """A route that takes consecutive events of its type in one call."""

    handle: BatchHandler


@dataclass(frozen=True, slots=True)
class Only:
    """A route for the events of its type that `wanted` picks; the others are skipped like an
    unrouted type (no inbox row): most of a topic may be none of the service's business."""

    wanted: Callable[[Envelope[Any]], bool]
    handle: Handler


Route = Handler | Batched | Only

D = TypeVar("D")


def bind(handler: Callable[[Any, Unit, D], Awaitable[None]], deps: D) -> Handler:
    """`handler(envelope, unit, deps)` as a route: the service's dependencies, built once by its
    composition root, given to every call."""

    async def handle(envelope: Envelope[Any], unit: Unit) -> None:
        await handler(envelope, unit, deps)

    return handle


def wants(routes: Routes, event: Envelope[Any]) -> bool:
    route = routes.get(event.type)
    if isinstance(route, Only):
        return route.wanted(event)
    return route is not None


Routes = Mapping[str, Route]


def check_routes(routes: Routes) -> None:
    """A route for a type no contract defines (a typo) would never run: refuse it at start-up."""
    unknown = sorted(set(routes) - set(EVENT_TYPES))
    if unknown:
        raise ValueError(f"routes for event types no contract defines: {', '.join(unknown)}")


class RoutingError(ValueError):
    """A service's routes differ from what the topic registry routes to it."""


def subscriptions(service: str, routes: Routes, topic: Callable[[str], str]) -> list[str]:
    """The topics `service` subscribes to (each through `topic`, which applies overrides): those
    of the types the registry routes to it. Its routes must be exactly those types: a typo, or
    a type the registry does not send it, would silently never run."""
    check_routes(routes)
    routed = set(handled_by(service))
    extra, missing = sorted(set(routes) - routed), sorted(routed - set(routes))
    if extra or missing:
        raise RoutingError(
            f"{service}'s handlers differ from the topic registry (libs/contracts topics.py): "
            f"handled but not routed to it: {extra or 'none'}; routed to it but not handled: "
            f"{missing or 'none'}"
        )
    return sorted({topic(route_for(event_type).topic) for event_type in routed})
