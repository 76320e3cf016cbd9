"""`smsbus lag`: how far each consumer group of the registry is behind, per topic, from the broker.

The same figure as the services' `smsbus_<service>_consumer_lag_records` gauge, for when no
Prometheus is at hand (the local stack, an incident shell).
"""

from __future__ import annotations

from dataclasses import dataclass

from smsbus.contracts import ROUTES
from smsbus.runtime.offsets import group_lag, lag_by_topic


@dataclass(frozen=True)
class GroupLag:
    group: str
    topic: str
    records: int


def registry_groups() -> list[tuple[str, str]]:
    """(group, topic) for every consumer the registry names."""
    return sorted({(group, route.topic) for route in ROUTES for group in route.consumers})


async def lags(bootstrap: str, groups: list[tuple[str, str]] | None = None) -> list[GroupLag]:
    """The lag of each (group, topic); the registry's consumers unless `groups` is given."""
    found = []
    for group, topic in registry_groups() if groups is None else groups:
        behind = lag_by_topic(await group_lag(bootstrap, group, [topic]))
        if topic in behind:  # a topic not created yet is nobody's lag
            found.append(GroupLag(group, topic, behind[topic]))
    return found
