"""The reconciler's lanes on the key's shared budget: the deep pass held to its share of the
key's rate, the fast pass's requests counted.

A lane paces its caller locally (GCRA at `rate`) before it books a slot of the shared budget,
so it never takes more than `rate` of the key whatever else is idle. A local pace is enough:
one deep pass runs at a time across replicas (the run lock). Both passes book at the
`reconciliation` priority, which may only book while the key's schedule is at most 2 s ahead:
opt-out confirmations (30 s), HELP, the canary and transactional sends go first.
"""

from __future__ import annotations

from collections.abc import Callable

from smsbus.openphone import Budget, OpenPhoneClient, Priority, TokenBucket
from smsbus.reconciler.observability import ReconcilerMetrics
from smsbus.reconciler.settings import Settings


class Lane:
    def __init__(
        self,
        shared: Budget,
        *,
        rate: float | None = None,
        on_request: Callable[[], None] | None = None,
        pace: TokenBucket | None = None,
    ) -> None:
        """`rate`: requests per second at most (None: no cap of its own); `on_request`: called
        for every request that got its slot (retries included)."""
        self._shared = shared
        self._pace = pace or (TokenBucket(rate=rate, burst=1) if rate is not None else None)
        self._on_request = on_request

    async def acquire(self, priority: Priority) -> float:
        if self._pace is not None:
            await self._pace.acquire(priority)
        slot = await self._shared.acquire(priority)
        if self._on_request is not None:
            self._on_request()
        return slot

    async def throttled(self, seconds: float) -> None:
        await self._shared.throttled(seconds)


def pass_clients(
    settings: Settings, budget: Budget, metrics: ReconcilerMetrics
) -> tuple[OpenPhoneClient, OpenPhoneClient]:
    """The deep pass's client, held to its share of the key's rate, and the fast pass's, its
    requests counted; each with its own agent, so OpenPhone's logs (and the simulator's) tell
    the two passes apart."""

    def client(lane: Lane, agent: str) -> OpenPhoneClient:
        return OpenPhoneClient(
            api_key=settings.openphone_api_key,
            base_url=settings.openphone_base_url,
            bucket=lane,
            priority="reconciliation",
            agent=agent,
        )

    deep_rate = settings.deep_share * settings.openphone_rate
    deep = client(Lane(budget, rate=deep_rate), "reconciler")
    fast = client(Lane(budget, on_request=metrics.fast_requests.inc), "reconciler-fast")
    return deep, fast
